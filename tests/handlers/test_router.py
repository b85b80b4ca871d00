from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.core import Incoming, Reply
from handlers.router import Registry, Router, parse_command_line, registry
from storage.models import Activity
from tests.dbstate import ledger_counts
from tests.helpers import ALICE, TEAM_CHAT, say, text_of


@pytest.mark.parametrize(
    ("line", "expected"),
    [("/log talk X", ("log", "talk X")), ("/LOG@devrelbot  talk X ", ("log", "talk X")), ("/help", ("help", "")),
     ("/list\nweek", ("list", "week")), ("hello", None), ("/", None), ("/ log", None)],
)
def test_parse_command_line(line, expected):
    assert parse_command_line(line) == expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from([c.name for c in registry.all()]), args=st.text(max_size=80))
def test_any_args_to_any_command_get_replies_and_errors_store_nothing(router, db, command, args):
    before = ledger_counts(db)
    replies = router.dispatch(Incoming(chat=TEAM_CHAT, user=ALICE, command=command, args=args))
    assert replies and all(isinstance(r, Reply) and r.text for r in replies)
    if replies[0].is_error:
        assert ledger_counts(db) == before


def test_a_crashing_handler_rolls_back_and_says_nothing_was_saved(db, clock):
    commands = Registry()

    @commands.command("boom", summary="s", usage="/boom")
    def boom(req):
        req.session.add(Activity(team_id=req.team.id, kind="talk", title="half", title_key="half",
                                 date=req.today))
        req.session.flush()
        raise RuntimeError("bug")

    reply = say(Router(db, commands=commands, clock=clock), "/boom")

    assert reply.is_error and "Something went wrong, nothing was saved" in text_of(reply)
    assert ledger_counts(db) == (0, 0)


def test_admin_only_commands_are_refused_to_others(db, clock):
    from tests.helpers import BOB

    commands = Registry()

    @commands.command("secret", summary="s", usage="/secret", admin_only=True)
    def secret(req):
        return Reply("done")

    router = Router(db, commands=commands, clock=clock)
    assert text_of(say(router, "/secret")) == "done"  # alice: an admin, as the platform says
    refused = say(router, "/secret", user=BOB)
    assert refused.is_error and "for team admins" in text_of(refused)


def test_database_trouble_asks_to_try_again(db, clock, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def locked(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    router = Router(db, clock=clock)
    monkeypatch.setattr("handlers.log.insert_activity", locked)
    reply = say(router, '/log talk "X" @ Conf today')
    assert reply.is_error and "try again in a moment" in text_of(reply)
