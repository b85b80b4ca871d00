"""Commands that only read run in a reader transaction: on SQLite they do not take the write lock, so they
answer at once while another process writes (or holds the lock too long)."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from sqlmodel import select

from handlers.router import Router, registry
from storage.db import Database
from storage.models import Member
from tests.conftest import Clock
from tests.handlers.feedback_support import TALK, person
from tests.helpers import incoming, say, text_of

READS = ("/list", "/show 1", "/stats", "/talks", "/help log", "/report week", "/funnel", "/community", "/export")


@pytest.fixture
def lockable(migrated_sqlite_template, tmp_path, clock: Clock):
    path = tmp_path / "reads.db"
    shutil.copy(migrated_sqlite_template, path)
    db = Database.from_url(f"sqlite:///{path}", busy_timeout=0.2)
    yield path, Router(db, clock=clock)
    db.dispose()


def test_read_only_commands_answer_while_another_process_holds_the_write_lock(lockable):
    path, router = lockable
    say(router, TALK)
    holder = sqlite3.connect(path, isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    try:
        answers = {line: "\n".join(r.text for r in router.dispatch(incoming(line))) for line in READS}
        refused = text_of(say(router, '/log talk "Another" @ Conf 2026-11-21'))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "database is busy" in refused  # a writer waits for the lock, and here gives up
    assert not [line for line, text in answers.items() if "busy" in text]
    assert "Scaling Postgres" in answers["/list"] and "Scaling Postgres" in answers["/show 1"]


def test_someone_new_whose_first_command_only_reads_joins_the_team_as_by_any_command(router):
    say(router, TALK)
    assert "Scaling Postgres" in text_of(say(router, "/list", user=person("bob")))
    with router.db.reader() as session:
        assert "u-bob" in {m.user_id for m in session.exec(select(Member))}


def test_the_commands_that_only_read_say_so():
    assert {c.name for c in registry.all() if c.reads_only} == {
        "list", "show", "stats", "talks", "help", "report", "funnel", "community", "export", "history"}  # not /member
