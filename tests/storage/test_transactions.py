"""A unit of work means what the code says: rolled back, it leaves nothing — on SQLite too, where the driver's
own transaction handling would let a SAVEPOINT that is the first write commit on its RELEASE."""

from __future__ import annotations

import sqlite3

import pytest
from sqlmodel import select

from storage.db import Database
from storage.models import ChatBinding, Team
from storage.teams import get_or_create_team_for_chat
from tests.dbstate import snapshot


class Boom(Exception):
    pass


def test_a_rolled_back_unit_of_work_whose_first_write_is_a_savepoint_leaves_no_row(any_db: Database):
    before = snapshot(any_db)
    with pytest.raises(Boom), any_db.session() as session:
        # The team is created inside a SAVEPOINT (begin_nested), and it is the transaction's first write.
        get_or_create_team_for_chat(session, platform="slack", scope_id="C1", name="New", timezone="UTC")
        raise Boom
    assert snapshot(any_db) == before
    with any_db.session() as session:
        assert session.exec(select(Team)).all() == []
        assert session.exec(select(ChatBinding)).all() == []


def test_a_sqlite_writer_holds_the_write_lock_from_its_first_statement(db: Database):
    """BEGIN IMMEDIATE: a writer that has only read so far already keeps other writers out, so what it read
    cannot change under it before it writes."""
    path = db.engine.url.database
    assert path is not None
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        with db.session() as session:
            session.exec(select(Team)).all()  # a read only
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
    finally:
        other.close()


def test_a_sqlite_reader_leaves_the_writers_alone(db: Database):
    path = db.engine.url.database
    assert path is not None
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        with db.reader() as session:
            session.exec(select(Team)).all()
            other.execute("BEGIN IMMEDIATE")  # would raise "database is locked" if the reader held the lock
            other.execute("ROLLBACK")
    finally:
        other.close()
