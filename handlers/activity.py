"""The activity a command names by its number (``/show 42``, ``/plan done 42``, …)."""

from __future__ import annotations

from handlers import render
from handlers.errors import UserError
from handlers.i18n import _
from handlers.parsing import parse_id
from handlers.router import Request
from storage.activities import get_activity
from storage.archive import archived
from storage.models import Activity, Member


def load_activity(req: Request, raw_id: str, *, example: str) -> Activity:
    """The team's activity with that number, or a clear error (another team's looks the same as none)."""
    if not raw_id:
        raise UserError(_("Which activity? Give its number."), example=example)
    activity_id = parse_id(raw_id, example=example)
    activity = get_activity(req.session, activity_id=activity_id)
    if activity is None or activity.team_id != req.team.id:
        gone = archived(req.session, team_id=req.team_id, activity_id=activity_id)
        if gone is not None:  # a button under an old message, say: tell it is gone, and how it comes back
            by = req.session.get(Member, gone.deleted_by) if gone.deleted_by is not None else None
            raise UserError(_("#{id} was deleted ({when}, by {who}); an admin can bring it back with /restore {id}.")
                            .format(id=activity_id, when=render.moment(gone.deleted_at, req.tz),
                                    who=by.display_name if by else "—"))
        raise UserError(
            _("There is no activity #{id} in this team. /list shows what there is.").format(id=activity_id),
            example=example,
        )
    return activity
