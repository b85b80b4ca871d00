"""/history — who changed what, and when: an activity's changes (any member), a person's or the settings'
(admins). The rows are written by :mod:`storage.history` in the transaction of each change."""

from __future__ import annotations

from datetime import tzinfo

from handlers import markup, render
from handlers.core import Reply
from handlers.errors import UserError
from handlers.i18n import N_, _
from handlers.parsing import parse_id
from handlers.router import Request, registry
from handlers.setting_text import setting_name, setting_value
from handlers.words import field_name
from storage import history
from storage.models import Change
from storage.teams import find_members_by_name

HISTORY_EXAMPLE = "/history 42"
SHOWN = 30
ACTIONS = {
    "create": N_("created"), "update": N_("changed"), "move": N_("moved"), "done": N_("done"),
    "drop": N_("dropped"), "delete": N_("deleted"), "restore": N_("restored"), "settings": N_("settings"),
}


@registry.command(
    "history",
    summary="Who changed an activity, what and when; admins also see a person's changes and the settings'",
    usage="/history <id>  ·  /history @person  ·  /history settings",
    examples=(HISTORY_EXAMPLE, "/history @alice", "/history settings"),
    admin_examples=("/history @alice", "/history settings"),
    reads_only=True,
    details="Every change is kept: created, changed, moved, done, dropped, deleted, restored, and each setting — "
    "by whom, when, old → new, and through which door (slack, telegram, console, cli). /export history gives "
    "all of it as CSV.",
)
def history_(req: Request) -> Reply:
    words = req.args.split()
    if len(words) != 1:
        raise UserError(_("Say which activity (its number), @person or settings."), example=HISTORY_EXAMPLE)
    word = words[0]
    if word.lower() == "settings":
        changes = history.of_settings(req.session, team_id=req.team_id, limit=SHOWN)
        title = _("Settings history")
    elif word.startswith("@"):
        found = find_members_by_name(req.session, team_id=req.team_id, name=word)
        if len(found) != 1:
            raise UserError(_("No one (or more than one person) in this team is called {name}.").format(
                name=f"“{word[:40]}”"), example="/history @alice")
        assert found[0].id is not None  # read from the database
        changes = history.of_member(req.session, team_id=req.team_id, member_id=found[0].id, limit=SHOWN)
        title = _("Changes by {name}").format(name=found[0].display_name)
    else:
        activity_id = parse_id(word, example=HISTORY_EXAMPLE)
        changes = history.of_activity(req.session, team_id=req.team_id, activity_id=activity_id, limit=SHOWN)
        if not changes:
            raise UserError(_("There is no history for #{id} in this team. /list shows the activities.").format(
                id=activity_id), example=HISTORY_EXAMPLE)
        title = _("History of #{id}").format(id=activity_id)
    lines = [markup.bold(markup.escape(title))]
    lines.extend(change_line(c, req.tz, with_item=not word[0].isdigit() and not word.startswith("#"))
                 for c in changes)
    if not changes:
        lines.append(_("Nothing changed yet."))
    elif len(changes) == SHOWN:
        lines.append(_("The newest {n}; /export history has all of it.").format(n=SHOWN))
    return Reply("\n".join(lines), ephemeral=True)


def change_line(change: Change, zone: tzinfo, *, with_item: bool) -> str:
    """``• 26.11.2026 12:00 · alice (telegram) · changed audience: 300 → 350``"""
    item = f"#{change.activity_id} " if with_item and change.activity_id is not None else ""
    what = f"{item}{_(ACTIONS.get(change.action, change.action))}"
    if change.field is not None and change.action == "settings":  # as /settings names and writes them
        old, new = setting_value(change.field, change.old), setting_value(change.field, change.new)
        what += f" {markup.escape(setting_name(change.field))}: {_shown(old)} → {_shown(new)}"
    elif change.field is not None:
        what += f" {markup.escape(field_name(change.field))}: {_shown(change.old)} → {_shown(change.new)}"
    return f"• {render.moment(change.at, zone)} · {markup.escape(change.actor)} ({change.door}) · {what}"


def _shown(value: str | None) -> str:
    return render.DASH if value is None else markup.escape(value)
