"""/export — the ledger or the plan as a CSV file."""

from __future__ import annotations

from handlers.core import Document, Reply
from handlers.errors import UserError, quote_token
from handlers.i18n import _
from handlers.plan_csv import export_activities
from handlers.router import Request, registry

EXPORTS = ("activities", "plan")


@registry.command(
    "export",
    summary="Download the team's activities or plan as CSV",
    usage="/export [activities|plan]",
    examples=("/export", "/export plan"),
)
def export(req: Request) -> Reply:
    what = req.args.strip().lower() or "activities"
    if what not in EXPORTS:
        raise UserError(_("{token} cannot be exported; choose activities or plan.").format(token=quote_token(what)),
                        example="/export plan")
    data = export_activities(req.session, team_id=req.team.id, plan_only=what == "plan")
    filename = f"devrelbot-{what}-{req.today.isoformat()}.csv"
    return Reply(_("Here is the {what} export.").format(what=_(what)),
                 document=Document(filename=filename, content=data), ephemeral=True)
