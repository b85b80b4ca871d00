"""/followup — the buttons under "How many views did X get?": snooze, or stop asking."""

from __future__ import annotations

from datetime import timedelta

from handlers import render
from handlers.activity import load_activity
from handlers.core import Reply
from handlers.errors import UserError
from handlers.i18n import _
from handlers.router import Request, registry
from storage.reminders import snooze_followup, stop_followups

FOLLOWUP_EXAMPLE = "/followup 42 snooze 1d"
DELAYS = {"1d": timedelta(days=1), "1w": timedelta(weeks=1), "3d": timedelta(days=3)}


@registry.command(
    "followup",
    summary="Snooze or stop the bot's questions about an activity's numbers",
    usage="/followup <id> snooze 1d|3d|1w · /followup <id> stop",
    examples=(FOLLOWUP_EXAMPLE, "/followup 42 snooze 1w", "/followup 42 stop"),
    admin_examples=("/followup 1 stop",),  # someone else's activity: its owner or an admin
)
def followup(req: Request) -> Reply:
    parts = req.args.split()
    activity = load_activity(req, parts[0] if parts else "", example=FOLLOWUP_EXAMPLE)
    action = parts[1].lower() if len(parts) > 1 else ""
    if action == "stop" and len(parts) == 2:
        stop_followups(req.session, activity=activity, now=req.now)
        return Reply(_("OK, no more questions about the numbers of {what}.").format(
            what=render.headline(activity)), ephemeral=True)
    if action == "snooze" and len(parts) == 3 and parts[2].lower() in DELAYS:
        due_at = snooze_followup(req.session, activity=activity, now=req.now, delay=DELAYS[parts[2].lower()])
        when = render.moment(due_at, req.tz)
        return Reply(_("OK, I will ask again on {when}.").format(when=when), ephemeral=True)
    raise UserError(_("Write snooze 1d, snooze 3d, snooze 1w or stop."), example=FOLLOWUP_EXAMPLE)
