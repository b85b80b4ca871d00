"""/delete — remove an activity (its owner or an admin), after a confirmation."""

from __future__ import annotations

from handlers import render
from handlers.activity import load_activity
from handlers.core import Button, Reply
from handlers.errors import UserError, quote_token
from handlers.i18n import _
from handlers.router import Request, registry
from storage.activities import delete_activity

DELETE_EXAMPLE = "/delete 42"


@registry.command(
    "delete",
    summary="Delete an activity (its owner or an admin), after a confirmation",
    usage="/delete <id>",
    examples=(DELETE_EXAMPLE,),
    admin_examples=("/delete 1", "/delete 1 confirm"),  # someone else's activity
)
def delete(req: Request) -> Reply:
    parts = req.args.split()
    activity = load_activity(req, parts[0] if parts else "", example=DELETE_EXAMPLE)
    action = parts[1].lower() if len(parts) > 1 else ""
    if action == "confirm":
        title = render.headline(activity)
        delete_activity(req.session, activity=activity)
        return Reply("🗑️ " + _("Deleted {what}").format(what=title))
    if action == "keep":
        return Reply(_("Kept {what}").format(what=render.headline(activity)), ephemeral=True)
    if action:
        raise UserError(
            _("{token} is not an option of /delete.").format(token=quote_token(parts[1])), example=DELETE_EXAMPLE
        )
    return Reply(
        _("Delete {what}? This cannot be undone.").format(what=render.headline(activity)),
        buttons=(
            Button(_("Delete #{id}").format(id=activity.id), f"/delete {activity.id} confirm", style="danger"),
            Button(_("Keep it"), f"/delete {activity.id} keep"),
        ),
        ephemeral=True,
    )
