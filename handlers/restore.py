"""/restore — bring back a deleted activity with its number, tags, checklist and feedback (admins)."""

from __future__ import annotations

from handlers import render
from handlers.core import Reply
from handlers.errors import UserError
from handlers.i18n import _
from handlers.parsing import parse_id
from handlers.router import Request, registry
from storage.activities import get_activity
from storage.archive import archived, restore
from storage.reminders import reschedule

RESTORE_EXAMPLE = "/restore 42"


@registry.command(
    "restore",
    summary="Bring back a deleted activity (admins)",
    usage="/restore <id>",
    examples=(RESTORE_EXAMPLE,),
    admin_only=True,
    details="A deleted activity is kept for DELETED_RETENTION_DAYS (30 unless whoever runs the bot set another "
    "number); until then /restore brings it back with the same number, its tags, checklist and feedback.",
)
def restore_(req: Request) -> Reply:
    words = req.args.split()
    if len(words) != 1:
        raise UserError(_("Give the number of the deleted activity."), example=RESTORE_EXAMPLE)
    activity_id = parse_id(words[0], example=RESTORE_EXAMPLE)
    entry = archived(req.session, team_id=req.team_id, activity_id=activity_id)
    if entry is None:
        present = get_activity(req.session, activity_id=activity_id)
        if present is not None and present.team_id == req.team_id:
            raise UserError(_("#{id} is not deleted; /show {id} shows it.").format(id=activity_id),
                            example=RESTORE_EXAMPLE)
        raise UserError(_("There is no deleted activity #{id} in this team (or it was deleted too long ago to come "
                          "back).").format(id=activity_id), example=RESTORE_EXAMPLE)
    activity = restore(req.session, entry=entry)
    reschedule(req.session, activity=activity, team=req.team, now=req.now)
    return Reply("♻️ " + _("Restored {what}").format(what=render.headline(activity)))
