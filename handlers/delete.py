"""/delete — remove an activity (its owner or an admin), after a confirmation. The activity goes to the archive,
where an admin can /restore it until housekeeping prunes it (DELETED_RETENTION_DAYS)."""

from __future__ import annotations

from handlers import markup, render
from handlers.activity import load_activity
from handlers.core import Button, Reply
from handlers.errors import UserError, quote_token
from handlers.i18n import _
from handlers.router import Request, registry
from storage.archive import archive

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
        archive(req.session, activity=activity, deleted_by=req.member_id, now=req.now)
        return Reply("🗑️ " + _("Deleted {what}").format(what=title) + "\n"
                     + _("An admin can bring it back with {command} for a while.").format(
                         command=markup.code(f"/restore {activity.id}")))
    if action == "keep":
        return Reply(_("Kept {what}").format(what=render.headline(activity)), ephemeral=True)
    if action:
        raise UserError(
            _("{token} is not an option of /delete.").format(token=quote_token(parts[1])), example=DELETE_EXAMPLE
        )
    return Reply(
        _("Delete {what}? An admin can restore it for a while; after that it is gone.").format(
            what=render.headline(activity)),
        buttons=(
            Button(_("Delete #{id}").format(id=activity.id), f"/delete {activity.id} confirm", style="danger"),
            Button(_("Keep it"), f"/delete {activity.id} keep"),
        ),
        ephemeral=True,
    )
