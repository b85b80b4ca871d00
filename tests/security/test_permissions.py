"""Who may change what, generated from the permission table: every row that changes something, run as the
item's owner, another member, a granted admin, a platform admin and a stranger from another team — allowed or
refused as the table says, and a refusal leaves every row of every table as it was."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from handlers.core import ChatRef, UserRef
from handlers.permissions import PERMISSIONS, Permission, Who, permission_for, who_may
from handlers.router import Router, registry
from tests.dbstate import snapshot
from tests.handlers.feedback_support import posted
from tests.helpers import incoming, say, text_of

GROUP = ChatRef(platform="telegram", chat_id="-100777")
OTHER_GROUP = ChatRef(platform="telegram", chat_id="-100888")


def person(name: str, user_id: str) -> UserRef:
    return UserRef(platform="telegram", user_id=user_id, display_name=name)


ALICE, BOB, CAROL, DAVE, EVE = (person(n, str(i)) for i, n in enumerate(("alice", "bob", "carol", "dave", "eve"), 1))
# actor → (who, chat, the platform says they administer the chat)
ACTORS = {
    "owner": (ALICE, GROUP, False),
    "other member": (BOB, GROUP, False),
    "admin": (CAROL, GROUP, False),  # granted with /admin grant
    "platform admin": (DAVE, GROUP, True),
    "stranger": (EVE, OTHER_GROUP, False),  # an ordinary member of another team
}
ITEMS = {"talk": 1, "plan": 2, "event": 3, "goal": 1, "deleted": 4, "ask": 1}


def set_up(router: Router) -> None:
    """alice owns talk #1, plan item #2, meetup #3 and the deleted talk #4, and asked community poll #1; carol is a
    granted admin; dave administers the group; the talk has an open poll and the quarter a goal; two guests attended
    the meetup; eve is a member of another team."""
    for user in (ALICE, BOB, CAROL):
        assert not say(router, "/help", user=user, chat=GROUP, admin=False).is_error
    assert not say(router, "/admin grant @carol", user=DAVE, chat=GROUP, admin=True).is_error
    for line in ('/log talk "Alice talk" @ Conf 2026-11-20 audience=10',
                 '/plan add article "Alice plan" due 2026-12-10 @ Habr',
                 '/log meetup "Alice meetup" @ Office 2026-12-15', '/log talk "Gone" @ Conf 2026-11-19',
                 "/delete 4 confirm"):
        assert not say(router, line, user=ALICE, chat=GROUP, admin=False).is_error, line
    assert not say(router, "/goal quarter talks=12", user=DAVE, chat=GROUP, admin=True).is_error
    # Two community members (#1, #2) for /member merge.
    assert not say(router, "/attended 3 @guest_one @guest_two", user=ALICE, chat=GROUP, admin=False).is_error
    posted(router, say(router, "/poll 1", user=DAVE, chat=GROUP, admin=True), chat=GROUP, poll_id="p-1")
    asked = router.dispatch(incoming('/ask "Next topic?" Go | Rust', user=ALICE, chat=GROUP, admin=False))
    assert not any(r.is_error for r in asked), asked
    assert not say(router, "/help", user=EVE, chat=OTHER_GROUP, admin=False).is_error


def allowed(row: Permission, actor: str) -> bool:
    """What the table promises (with the default /settings edits=owners)."""
    if actor == "stranger":  # acts in their own team: another team's items are not there, nor are they its admin
        return row.who is Who.MEMBER and "{" not in row.sample
    if row.who is Who.MEMBER:
        return True
    if row.who is Who.ADMIN:
        return actor in ("admin", "platform admin")
    return actor != "other member"  # the owner, or an admin


CASES = [(row, actor) for row in PERMISSIONS if row.sample for actor in ACTORS]


@pytest.mark.parametrize(("row", "actor"), CASES, ids=[f"{r.sample.split(' {')[0]}-{a}" for r, a in CASES])
def test_every_row_is_allowed_or_refused_as_the_table_says(router, db, row, actor):
    set_up(router)
    user, chat, platform_admin = ACTORS[actor]
    line = row.sample.format(**ITEMS)
    assert permission_for(line.split()[0][1:], line.partition(" ")[2]) == row
    before = snapshot(db)

    reply = say(router, line, user=user, chat=chat, admin=platform_admin)

    if allowed(row, actor):
        assert not reply.is_error, f"{actor}: {line} → {text_of(reply)}"
        return
    assert reply.is_error, f"{actor}: {line} was not refused: {text_of(reply)}"
    assert snapshot(db) == before
    if actor != "stranger":  # a stranger is told there is no such item, which is the truth in their team
        words = "owner of " if row.who in (Who.OWNER, Who.NUMBERS) else "team admin"
        assert words in text_of(reply), text_of(reply)


def test_every_row_that_an_owner_rule_or_admin_rule_guards_has_a_sample():
    assert [r for r in PERMISSIONS if r.who in (Who.OWNER, Who.NUMBERS, Who.ADMIN) and not r.sample] == []


def test_every_command_is_in_the_table_or_only_reads():
    registered = {c.name for c in registry.all()}
    tabled = {r.command for r in PERMISSIONS}
    reads = {c.name for c in registry.all() if c.reads_only}
    assert tabled <= registered
    assert registered - tabled == reads - tabled, "a new command: add its rows to PERMISSIONS, or say reads_only=True"


@pytest.mark.parametrize("line", [c for cmd in registry.all() for c in cmd.admin_examples])
def test_what_help_calls_admin_only_the_table_refuses_to_an_ordinary_member(line):
    name, _sep, args = line[1:].partition(" ")
    row = permission_for(name, args)
    assert row is not None and row.who is not Who.MEMBER, line


def test_with_edits_team_another_member_adds_numbers_but_changes_nothing_else(router, db):
    set_up(router)
    assert not say(router, "/settings edits=team", user=CAROL, chat=GROUP, admin=False).is_error

    numbers = say(router, "/update 1 audience=250 contacts=12", user=BOB, chat=GROUP, admin=False)
    before = snapshot(db)
    title = say(router, '/update 1 audience=260 title="Bob was here"', user=BOB, chat=GROUP, admin=False)
    moved = say(router, "/plan move 2 2026-12-20", user=BOB, chat=GROUP, admin=False)
    stranger = say(router, "/update 1 audience=1", user=EVE, chat=OTHER_GROUP, admin=False)

    assert not numbers.is_error, text_of(numbers)
    assert "250" in text_of(numbers)
    assert title.is_error and "numbers only" in text_of(title)
    assert moved.is_error and "owner of #2 (alice)" in text_of(moved)
    assert stranger.is_error
    assert snapshot(db) == before


def test_by_default_the_refusal_says_who_may_and_how_an_admin_opens_numbers_to_everyone(router):
    set_up(router)

    refused = say(router, "/update 1 audience=250", user=BOB, chat=GROUP, admin=False)

    assert refused.is_error
    assert "Only the owner of #1 (alice) or a team admin may change this activity." in text_of(refused)
    assert "/settings edits=team" in text_of(refused)


def test_the_refusal_is_in_the_teams_language(router):
    set_up(router)
    say(router, "/settings language=ru", user=CAROL, chat=GROUP, admin=False)

    refused = say(router, "/plan drop 2", user=BOB, chat=GROUP, admin=False)

    assert refused.is_error and "alice" in text_of(refused)
    assert re.search("[а-я]", text_of(refused)), text_of(refused)


# --- the README's copy of the table ---------------------------------------------------------------------

README = Path(__file__).resolve().parents[2] / "README.md"
ROW = re.compile(r"^\| `(/[^`]+)` \| ([^|]+) \| (.+) \|$")


def test_the_readme_table_is_the_permission_table():
    section = README.read_text(encoding="utf-8").split("### Who may change what", 1)[1].split("\n### ", 1)[0]
    rows = [m.groups() for line in section.splitlines() if (m := ROW.match(line))]
    table = [(r.usage, r.what, who_may(r)) for r in PERMISSIONS]
    assert [(usage.replace("\\|", "|"), what, who) for usage, what, who in rows] == table
