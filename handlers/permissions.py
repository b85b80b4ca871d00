"""Who may change what: the one permission table, and its check.

The router checks every command against :data:`PERMISSIONS` before the handler runs, so no handler decides on
its own who may act. The README's "Who may change what" table is this table (a test compares them), and the
generated test in ``tests/security/test_permissions.py`` runs every row as the item's owner, another member,
an admin, a platform admin and a stranger from another team.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from handlers.errors import PermissionDenied
from handlers.i18n import N_, _
from storage.activities import get_activity
from storage.community.polls import get_poll
from storage.domain import METRICS, Kind
from storage.links import looks_like_code
from storage.models import Activity, Member

if TYPE_CHECKING:
    from handlers.router import Command, Request


class Who(StrEnum):
    MEMBER = "member"  # any member of the team
    OWNER = "owner"  # the item's owner (who made it: an activity's owner, a community poll's asker), or an admin
    NUMBERS = "numbers"  # the owner or an admin; other members add numbers where /settings edits=team
    ADMIN = "admin"  # a team admin (granted, or an admin on the platform)
    CHAT_ADMIN = "chat admin"  # an admin of this very chat, as the platform says


class Edits(StrEnum):
    """``/settings edits=…``: who besides the owner and admins may add numbers to an item."""

    OWNERS = "owners"
    TEAM = "team"


ANY = "*"  # an action that matches any arguments the rows before it did not


@dataclass(frozen=True)
class Permission:
    """One row of the table: an invocation of a command that changes something, and who may run it.

    ``action`` is the first word after the command (``/plan move …`` → "move"), "" for the command whatever
    follows, or :data:`ANY` for any arguments at all (nothing typed after the command only shows). With
    ``item`` the next word is the number of the activity acted on, whose owner the check compares; an item that
    is no activity (a community poll) says how it is found with ``owned``."""

    command: str
    action: str
    who: Who
    what: str  # marked for translation: the refusal and the README say it ("move a plan item")
    usage: str  # as the README shows it
    sample: str  # a line the generated test runs; {talk} and {plan} are the owner's activity and plan item
    item: bool = False
    when: Callable[[str], bool] | None = None  # the arguments must also pass this (a link code's shape)
    owned: Callable[[Request, str], Owned | None] | None = None  # the item, when it is no activity


@dataclass(frozen=True)
class Owned:
    """An item that is no activity, as the check needs it: who owns it, and how a refusal names it."""

    owner_id: int | None  # None: its owner is gone, so only admins may act on it
    name: str  # "community poll #3", translated


def asked_poll(req: Request, word: str) -> Owned | None:
    """A community poll of this team by its number: its asker owns it. None when there is no such poll here (the
    handler then says so)."""
    text = word.strip().lstrip("#")
    if not (text.isascii() and text.isdigit() and len(text) <= 12):
        return None
    poll = get_poll(req.session, team_id=req.team_id, poll_id=int(text))
    if poll is None:
        return None
    return Owned(owner_id=poll.created_by, name=_("community poll #{id}").format(id=poll.id))


PERMISSIONS: tuple[Permission, ...] = (
    Permission("log", "", Who.MEMBER, N_("log an activity"), "/log …", '/log talk "New" @ Conf 2026-11-21'),
    Permission("update", ANY, Who.NUMBERS, N_("change this activity"), "/update <id> …",
               "/update {talk} audience=20", item=True),
    Permission("delete", ANY, Who.OWNER, N_("delete this activity"), "/delete <id>", "/delete {talk} confirm",
               item=True),
    Permission("restore", ANY, Who.ADMIN, N_("restore a deleted activity"), "/restore <id>", "/restore {deleted}"),
    Permission("plan", "add", Who.MEMBER, N_("add to the plan"), "/plan add …",
               '/plan add post "New" due 2026-12-11'),
    Permission("plan", "done", Who.OWNER, N_("mark this plan item done"), "/plan done <id> …",
               "/plan done {plan} views=5", item=True),
    Permission("plan", "move", Who.OWNER, N_("move this plan item"), "/plan move <id> <date>",
               "/plan move {plan} 2026-12-20", item=True),
    Permission("plan", "drop", Who.OWNER, N_("drop this plan item"), "/plan drop <id>", "/plan drop {plan}",
               item=True),
    Permission("plan", "import", Who.MEMBER, N_("import plan items"), "/plan import", ""),
    Permission("checklist", ANY, Who.MEMBER, N_("tick an event's checklist"), "/checklist <id> tick|untick …",
               "/checklist {event} tick announcements"),
    Permission("followup", ANY, Who.OWNER, N_("snooze or stop the questions about this activity"),
               "/followup <id> snooze|stop", "/followup {talk} stop", item=True),
    Permission("feedback", ANY, Who.MEMBER, N_("post a feedback card"), "/feedback <id>", "/feedback {talk}"),
    Permission("poll", "close", Who.OWNER, N_("close this activity's polls"), "/poll close <id>",
               "/poll close {talk}", item=True),
    Permission("poll", ANY, Who.MEMBER, N_("send a poll"), "/poll <id> …", "/poll {talk}"),
    Permission("vote", ANY, Who.MEMBER, N_("vote"), "/vote …", ""),
    Permission("survey", ANY, Who.MEMBER, N_("survey a new hire"), "/survey hire @person", ""),
    Permission("goal", "drop", Who.ADMIN, N_("drop a goal"), "/goal drop <id>", "/goal drop {goal}"),
    Permission("goal", ANY, Who.ADMIN, N_("set a goal"), "/goal <period> <metric>=<target> …",
               "/goal quarter talks=3"),
    Permission("digest", "here|off", Who.ADMIN, N_("change where the digest goes"), "/digest here|off",
               "/digest here"),
    Permission("settings", ANY, Who.ADMIN, N_("change the team's settings"), "/settings <key>=<value> …",
               "/settings edits=team"),
    Permission("admin", "grant", Who.ADMIN, N_("grant the admin role"), "/admin grant @person",
               "/admin grant @bob"),
    Permission("admin", "revoke", Who.ADMIN, N_("revoke the admin role"), "/admin revoke @person",
               "/admin revoke @carol"),
    Permission("connect", "telegram|slack", Who.ADMIN, N_("link a chat to the team"), "/connect telegram|slack",
               "/connect telegram"),
    Permission("connect", ANY, Who.CHAT_ADMIN, N_("link this chat to a team"), "/connect CODE", "",
               when=looks_like_code),
    Permission("disconnect", "", Who.CHAT_ADMIN, N_("unlink this chat"), "/disconnect", ""),
    Permission("history", "settings", Who.ADMIN, N_("see the settings' history"), "/history settings",
               "/history settings"),
    Permission("history", "@", Who.ADMIN, N_("see a person's changes"), "/history @person", "/history @alice"),
    Permission("team", ANY, Who.MEMBER, N_("choose your private chat's team"), "/team <number>", ""),
    Permission("forget", ANY, Who.MEMBER, N_("erase yourself from the community"), "/forget me", ""),
    Permission("ask", "close", Who.OWNER, N_("close this community poll"), "/ask close <id>", "/ask close {ask}",
               owned=asked_poll),
    Permission("ask", ANY, Who.MEMBER, N_("ask the community"), "/ask \"…\" A | B …", ""),
    Permission("attended", ANY, Who.MEMBER, N_("mark who attended an event"), "/attended <id> @person …", ""),
    Permission("attendees", ANY, Who.MEMBER, N_("import an event's attendee list"), "/attendees <id> import", ""),
    Permission("speakers", ANY, Who.MEMBER, N_("mark who spoke at an event"), "/speakers <id> @person …", ""),
    Permission("member", "merge", Who.ADMIN, N_("merge community members"), "/member merge #a #b",
               "/member merge #1 #2"),
    Permission("export", "community", Who.ADMIN, N_("export the community"), "/export community",
               "/export community"),
)


def permission_for(command: str, args: str, table: Sequence[Permission] = PERMISSIONS) -> Permission | None:
    """The table's row for this invocation; None when it only shows something."""
    words = args.split()
    return next((row for row in table if row.command == command and _matches(row.action, words)
                 and (row.when is None or row.when(args))), None)


def _matches(action: str, words: list[str]) -> bool:
    first = words[0].lower() if words else ""
    if action == "":
        return True
    if action == ANY:
        return bool(words)
    if action == "@":  # a person named: /history @alice
        return first.startswith("@")
    return first in action.split("|")


def item_word(row: Permission, args: str) -> str:
    """The word that names the item: the first after the action's own word."""
    words = args.split()
    if row.action not in ("", ANY) and words:  # past the action's own word
        words = words[1:]
    return words[0] if words else ""


def members_may(command: Command, args: str, table: Sequence[Permission]) -> bool:
    """Any member of the team may run this invocation: :func:`enforce` would pass it without asking who the
    person is or what they own (the router's hot path needs no more than that)."""
    if command.admin_only:
        return False
    row = permission_for(command.name, args, table)
    return row is None or row.who is Who.MEMBER


def enforce(req: Request, command: Command, table: Sequence[Permission]) -> None:
    """Refuse (:class:`PermissionDenied`, so nothing is stored) unless the table lets this person run this."""
    if command.admin_only and not req.is_admin:
        raise PermissionDenied(
            _("/{name} is for team admins; ask an admin of your team.").format(name=command.name))
    row = permission_for(command.name, req.args, table)
    if row is None or row.who is Who.MEMBER or req.is_admin and row.who is not Who.CHAT_ADMIN:
        return
    what = _(row.what)
    if row.who is Who.CHAT_ADMIN:
        if not req.incoming.chat_admin:
            raise PermissionDenied(_("Only an admin of this chat may {what}.").format(what=what))
        return
    if row.who is Who.ADMIN:
        raise PermissionDenied(
            _("Only a team admin may {what}; /admin shows who is one.").format(what=what), example="/admin")
    if row.owned is not None:
        owned = row.owned(req, item_word(row, req.args))
        if owned is None or owned.owner_id == req.member_id:
            return  # no such item here: the handler says so; one's own item: go ahead
        owner = req.session.get(Member, owned.owner_id) if owned.owner_id is not None else None
        raise PermissionDenied(_owned_refusal(row, owned, owner))
    activity = _item(req, item_word(row, req.args))
    if activity is None or activity.owner_id == req.member_id:
        return  # no such item here: the handler says so; one's own item: go ahead
    if row.who is Who.NUMBERS and req.team.edits == Edits.TEAM.value and adds_numbers_only(req, activity):
        return
    owner = req.session.get(Member, activity.owner_id) if activity.owner_id is not None else None
    raise PermissionDenied(_refusal(row, activity, owner, team_edits=req.team.edits))


def _item(req: Request, word: str) -> Activity | None:
    text = word.strip().lstrip("#")
    if not (text.isascii() and text.isdigit() and len(text) <= 12):
        return None
    activity = get_activity(req.session, activity_id=int(text))
    return activity if activity is not None and activity.team_id == req.team_id else None


def adds_numbers_only(req: Request, activity: Activity) -> bool:
    """``/update 42 views=1200 likes=30``: only numbers (metrics), nothing about the item itself."""
    from handlers.parsing import UPDATE_EXAMPLE, parse_fields, tokenize  # the grammar sits above this table

    _head, _sep, rest = req.args.strip().partition(" ")
    fields = parse_fields(
        tokenize(rest, example=UPDATE_EXAMPLE), kind=Kind(activity.kind), today=req.today,
        default_currency=activity.currency or req.team.currency, example=UPDATE_EXAMPLE, allow_title=True,
    )
    others = (fields.venue, fields.on, fields.url, fields.owner, fields.status, fields.title, fields.notes)
    return bool(fields.values) and set(fields.values) <= {*METRICS, "currency"} and not fields.tags and all(
        value is None for value in others)


def _refusal(row: Permission, activity: Activity, owner: Member | None, *, team_edits: str) -> str:
    what = _(row.what)
    if owner is None:
        return _("#{id} has no owner any more: only a team admin may {what}.").format(id=activity.id, what=what)
    text = _("Only the owner of #{id} ({owner}) or a team admin may {what}.").format(
        id=activity.id, owner=owner.display_name, what=what)
    if row.who is Who.NUMBERS:
        if team_edits == Edits.TEAM.value:
            text += " " + _("Other members may add numbers only (like views=1200).")
        else:
            text += " " + _("An admin can let every member add numbers: /settings edits=team.")
    return text


def _owned_refusal(row: Permission, owned: Owned, owner: Member | None) -> str:
    what = _(row.what)
    if owner is None:
        return _("Only a team admin may {what}: the owner of {item} is no longer in the team.").format(
            item=owned.name, what=what)
    return _("Only the owner of {item} ({owner}) or a team admin may {what}.").format(
        item=owned.name, owner=owner.display_name, what=what)


def who_may(row: Permission) -> str:
    """The README's words for who may run a row."""
    return {
        Who.MEMBER: "any member",
        Who.OWNER: "the owner, admins",
        Who.NUMBERS: "the owner, admins; other members add numbers if `edits=team`",
        Who.ADMIN: "admins",
        Who.CHAT_ADMIN: "an admin of the chat",
    }[row.who]
