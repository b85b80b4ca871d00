"""Every admin-only action is refused to a non-admin — one test per command, generated from the router's
registry, so a new command cannot be forgotten: it is either wholly admin-only, declares the invocations that
need an admin (``admin_examples``), or is listed below as reviewed and open to every member."""

from __future__ import annotations

import pytest

from handlers.core import ChatRef
from handlers.router import Command, registry
from tests.dbstate import snapshot
from tests.helpers import ALICE, BOB, incoming, say, text_of

# Reviewed: these commands have no part that only an admin (or an item's owner) may use; who may change what
# is handlers/permissions.py's table, and tests/security/test_permissions.py runs it for every row.
NO_ADMIN_PARTS = frozenset({
    "log", "show", "list", "talks", "checklist", "stats", "feedback", "vote",
    "survey", "report", "help", "funnel", "team", "community", "forget", "attended", "attendees", "speakers",
})

# The admin (the team's first member) owns activity #1, plan item #2 and community poll #1; the examples refer
# to them.
SETUP = (
    '/log talk "Alice talk" @ Conf 2026-11-20 audience=10',
    '/plan add article "Alice plan" due 2026-12-10 @ Habr',
    '/ask "Alice question?" Yes | No',
)


def refusal_cases() -> list[tuple[str, str]]:
    return [(c.name, line) for c in registry.all() for line in _admin_lines(c)]


def _admin_lines(command: Command) -> tuple[str, ...]:
    if command.admin_only:
        return command.examples or (command.usage.split()[0],)
    return command.admin_examples


@pytest.mark.parametrize("name", [c.name for c in registry.all()])
def test_every_command_declares_its_admin_parts(name):
    command = registry.get(name)
    assert command is not None
    declared = command.admin_only or bool(command.admin_examples)
    assert declared != (name in NO_ADMIN_PARTS), (
        f"/{name}: declare the invocations only an admin may run with admin_examples=(…) in its "
        f"@registry.command, or — after reading its handler — add it to NO_ADMIN_PARTS"
    )


@pytest.mark.parametrize(("name", "line"), refusal_cases())
def test_an_admin_only_action_is_refused_to_a_member_and_changes_nothing(router, db, name, line):
    chat = ChatRef(platform="telegram", chat_id="-100777")  # a group: /connect CODE and /disconnect apply
    for setup in SETUP:
        assert not any(r.is_error for r in router.dispatch(incoming(setup, user=ALICE, chat=chat)))
    say(router, "/help", user=BOB, chat=chat)  # bob joins as an ordinary member
    before = snapshot(db)

    (reply,) = router.dispatch(_incoming(line, chat))

    assert reply.is_error, f"{line} was not refused to a member: {text_of(reply)}"
    assert "admin" in text_of(reply).lower() or "owner" in text_of(reply).lower(), text_of(reply)
    assert snapshot(db) == before


def _incoming(line: str, chat: ChatRef):
    return incoming(line, user=BOB, chat=chat)  # chat_admin stays False: bob administers no chat


def test_help_lists_each_command_with_its_admin_mark_and_details(router):
    overview = text_of(say(router, "/help"))
    for command in registry.all():
        line = next(line for line in overview.splitlines() if line.startswith(f"• /{command.name} "))
        if command.admin_only:
            assert line.endswith("(admins)"), line
        elif command.admin_examples:
            assert line.endswith("(partly admins)"), line
        else:
            assert "admins)" not in line, line
        details = text_of(say(router, f"/help {command.name}"))
        for example in command.admin_examples:
            admins_part = details.split("Only admins — or, on an activity, its owner — can do these:")[-1]
            assert example in admins_part, (command.name, details)
