"""The cached team and member of a chat (storage.chat_context): the database bumps the team's generation on
every change that could make a cached copy false, whoever makes it, and a lookup never returns a stale copy."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from itertools import pairwise
from typing import TypeVar

import pytest
from sqlalchemy import text, update

from storage.activity_insert import insert_activity
from storage.chat_context import ChatContext, ChatContexts, StaleContext
from storage.db import Database
from storage.domain import Kind, Role, Status
from storage.history import Actor
from storage.ids import id_of
from storage.links import bind_chat, unbind_chat
from storage.models import ChatBinding, LinkCode, Member, Team
from storage.reminders import ReminderSettings
from storage.teams import get_or_create_member, get_or_create_team_for_chat, set_role
from tests.conftest import postgres_db

LATER = datetime(2030, 1, 1, tzinfo=UTC)
T = TypeVar("T")
TRIGGERS = {"sqlite": {"team_generation_on_update", "chat_binding_generation_on_insert",
                       "chat_binding_generation_on_update", "chat_binding_generation_on_delete",
                       "member_generation_on_insert", "member_generation_on_update", "member_generation_on_delete"},
            "postgresql": {"team_generation_on_update", "chat_binding_generation", "member_generation"}}


def _team(db: Database, chat: str = "c", user: str = "u") -> tuple[int, int]:
    with db.session() as s:
        team = get_or_create_team_for_chat(s, platform="console", scope_id=chat, name=chat, timezone="UTC")
        member = get_or_create_member(s, team=team, platform="console", user_id=user, display_name=user)
        s.flush()
        return id_of(team), id_of(member)


def _generation(db: Database, team_id: int) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text("SELECT generation FROM team WHERE id = :id"), {"id": team_id}).scalar_one())


def _lookup(db: Database, contexts: ChatContexts, *, chat: str = "c", user: str = "u"):  # type: ignore[no-untyped-def]
    with db.session() as s:
        return contexts.lookup(s.connection(), platform="console", scope_id=chat, user_platform="console",
                               user_id=user)


def test_every_trigger_is_there_at_head(any_db):
    """A later migration that rebuilds team, chat_binding or member on SQLite drops its triggers: this fails."""
    with any_db.engine.connect() as conn:
        if any_db.is_postgres:
            names = set(conn.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars())
        else:
            names = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
    assert TRIGGERS[any_db.engine.dialect.name] <= names


def test_each_change_to_a_team_its_chats_or_its_members_moves_its_generation(any_db):
    team_id, member_id = _team(any_db)
    other_id, _ = _team(any_db, chat="other")
    steps = []

    def moved(what: str) -> None:
        steps.append((what, _generation(any_db, team_id)))

    moved("start")
    with any_db.session() as s:  # /settings through the ORM
        team = s.get(Team, team_id)
        assert team is not None
        team.currency = "EUR"
        s.add(team)
    moved("settings")
    with any_db.session() as s:  # a newcomer joins
        team = s.get(Team, team_id)
        assert team is not None
        get_or_create_member(s, team=team, platform="console", user_id="newcomer", display_name="n")
    moved("member joined")
    with any_db.session() as s:
        member = s.get(Member, member_id)
        assert member is not None
        set_role(s, member=member, role=Role.ADMIN)
    moved("member's role")
    with any_db.session() as s:  # a hand-written statement, bypassing the ORM
        s.exec(update(Member).where(Member.id == member_id).values(display_name="renamed"))  # type: ignore[call-overload,arg-type]
    moved("member renamed by Core")
    with any_db.session() as s:
        bind_chat(s, platform="telegram", chat_id="-1", team_id=team_id, purpose="community", title=None)
    moved("chat linked")
    with any_db.session() as s:
        s.add(LinkCode(code_hash="h", team_id=team_id, expires_at=LATER, used_by_chat="telegram:-1"))
        s.flush()
        unbind_chat(s, platform="telegram", chat_id="-1")
    moved("chat unlinked")
    with any_db.engine.begin() as conn:  # another process moves a member to another team
        conn.execute(text("UPDATE member SET team_id = :other WHERE user_id = 'newcomer'"), {"other": other_id})
    moved("member moved away")
    with any_db.engine.begin() as conn:
        conn.execute(text("DELETE FROM member WHERE id = :id"), {"id": member_id})
    moved("member removed")

    generations = [g for _what, g in steps]
    assert all(a < b for a, b in pairwise(generations)), steps


def test_a_chat_moving_to_another_team_moves_both_teams(any_db):
    first, _ = _team(any_db, chat="a")
    second, _ = _team(any_db, chat="b")
    before = (_generation(any_db, first), _generation(any_db, second))
    with any_db.session() as s:
        binding = s.get(ChatBinding, 2)
        assert binding is not None and binding.team_id == second
        binding.team_id = first
        s.add(binding)
    assert _generation(any_db, first) > before[0] and _generation(any_db, second) > before[1]


def test_a_lookup_reads_once_then_checks_and_sees_every_change(any_db):
    contexts = ChatContexts()
    assert _lookup(any_db, contexts) is None  # no team yet: the ORM path makes it
    team_id, member_id = _team(any_db)
    first = _lookup(any_db, contexts)
    assert first is not None and (first.team_id, first.member_id, first.currency) == (team_id, member_id, "USD")
    assert _lookup(any_db, contexts) is first  # still true: the cached copy

    with any_db.engine.begin() as conn:  # another process changes the settings
        conn.execute(text("UPDATE team SET currency = 'EUR', timezone = 'Europe/Berlin' WHERE id = :id"),
                     {"id": team_id})
    again = _lookup(any_db, contexts)
    assert again is not None and (again.currency, again.timezone) == ("EUR", "Europe/Berlin")

    with any_db.engine.begin() as conn:  # ... and removes the member
        conn.execute(text("DELETE FROM member WHERE id = :id"), {"id": member_id})
    assert _lookup(any_db, contexts) is None  # never the removed member
    assert len(contexts) == 0


def test_the_cache_is_bounded(db):
    contexts = ChatContexts(size=3)
    for n in range(5):
        _team(db, chat=f"c{n}")
        assert _lookup(db, contexts, chat=f"c{n}") is not None
    assert len(contexts) == 3


IN_FLIGHT = {
    # what another replica changes, in a transaction still open while this one looks the chat up
    "settings": "UPDATE team SET currency = 'EUR' WHERE id = :team",
    "the chat moved": "UPDATE chat_binding SET team_id = :other WHERE chat_id = 'c'",
    "the member moved": "UPDATE member SET team_id = :other WHERE user_id = 'u'",
    "the member removed": "DELETE FROM member WHERE user_id = 'u'",
}


@pytest.mark.parametrize("cached", [True, False], ids=["cached", "read"])
@pytest.mark.parametrize("change", list(IN_FLIGHT))
def test_on_postgresql_a_lookup_waits_for_a_change_in_flight_and_then_sees_it(postgres_schema_url, change, cached):
    """Another replica's change holds the team's row (its trigger); a command's check (or its load) waits for
    that commit and then reads what the change made — it never acts on the copy the change made false. (SQLite
    needs no such test: a writer holds the database's write lock from BEGIN IMMEDIATE.)"""
    db = postgres_db(*postgres_schema_url)
    db.upgrade()
    team_id, _ = _team(db)
    other_id, _ = _team(db, chat="other", user="someone")
    contexts = ChatContexts()
    if cached:
        assert _lookup(db, contexts) is not None
    found = _behind_a_change_in_flight(db, change, team_id, other_id, lambda: _lookup(db, contexts))
    db.dispose()
    assert len(found) == 1
    if change == "settings":
        assert getattr(found[0], "currency", None) == "EUR"
    else:  # the chat is no longer this team's, or the person no longer its member: the ORM way sorts it out
        assert found[0] is None


def _guarded_log(db: Database, context: ChatContext) -> str:
    """A /log's write from a cached copy (storage.activity_insert, guarded by the copy's generation)."""
    try:
        with db.writer() as conn:
            insert_activity(conn, team_id=context.team_id, kind=Kind.TALK, title="From the copy",
                            on=date(2026, 11, 20), status=Status.DONE, values={}, tags=("cached",),
                            owner_id=context.member_id, created_by=context.member_id,
                            reminders=ReminderSettings(timezone="UTC", hour=9, days_before=3),
                            actor=Actor(member_id=context.member_id, name="u", door="console", at=LATER), now=LATER,
                            generation=context.generation)
    except StaleContext:
        return "stale"
    return "written"


def _written(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM activity")).scalar_one())


def test_a_write_from_a_copy_the_team_moved_on_from_writes_nothing(any_db):
    _team(any_db)
    contexts = ChatContexts()
    copy = _lookup(any_db, contexts)
    assert copy is not None and _guarded_log(any_db, copy) == "written"  # the copy holds: written

    with any_db.engine.begin() as conn:  # another process changes the settings
        conn.execute(text("UPDATE team SET currency = 'EUR' WHERE id = :id"), {"id": copy.team_id})
    assert _guarded_log(any_db, copy) == "stale"
    assert _written(any_db) == 1  # not its row, nor its tags or history
    with any_db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM activity_tag")).scalar_one() == 1
        assert conn.execute(text("SELECT count(DISTINCT activity_id) FROM change WHERE action = 'create'")
                            ).scalar_one() == 1


@pytest.mark.parametrize("change", list(IN_FLIGHT))
def test_on_postgresql_a_write_from_a_copy_waits_for_a_change_in_flight_and_then_writes_nothing(
    postgres_schema_url, change
):
    """The cached copy is checked by the /log's insert itself (its FOR SHARE of the team's row): it waits for
    another replica's change, then finds the team moved on and writes nothing (the router reads it again)."""
    db = postgres_db(*postgres_schema_url)
    db.upgrade()
    team_id, _ = _team(db)
    other_id, _ = _team(db, chat="other", user="someone")
    copy = _lookup(db, ChatContexts())
    assert copy is not None
    outcome = _behind_a_change_in_flight(db, change, team_id, other_id, lambda: _guarded_log(db, copy))
    written = _written(db)
    db.dispose()
    assert outcome == ["stale"] and written == 0


def _behind_a_change_in_flight(db: Database, change: str, team_id: int, other_id: int,
                               action: Callable[[], T]) -> list[T]:
    """What ``action`` gave, run in a thread while another replica's ``change`` is uncommitted: it must be
    blocked behind that change until the change commits."""
    outcome: list[T] = []
    with db.engine.connect() as replica:
        replica.begin()
        replica.execute(text(IN_FLIGHT[change]), {"team": team_id, "other": other_id})
        thread = threading.Thread(target=lambda: outcome.append(action()))
        thread.start()
        _until_blocked_by(db, replica.execute(text("SELECT pg_backend_pid()")).scalar_one())
        assert not outcome  # blocked behind the change
        replica.commit()
    thread.join(timeout=30)
    return outcome


def _until_blocked_by(db: Database, pid: int, *, timeout: float = 30.0) -> None:
    """Until some connection waits for a lock that ``pid`` holds (other sessions' tests may wait on theirs)."""
    deadline = time.monotonic() + timeout
    with db.engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"), {"pid": pid}
            ).scalar_one()
            conn.rollback()
            if waiting:
                return
            time.sleep(0.01)
    raise AssertionError("the lookup never waited for the change's lock")
