"""One holder at a time of a role across processes on one PostgreSQL (an advisory lock); SQLite's one process
always holds it."""

from __future__ import annotations

from sqlalchemy import text

from storage.db import Database
from storage.leader import AdvisoryLock
from tests.conftest import postgres_db


def test_one_holder_at_a_time_and_the_next_takes_over_on_release(postgres_schema_url):
    first_db, second_db = (postgres_db(*postgres_schema_url) for _ in range(2))  # two processes, say
    first, second = AdvisoryLock(first_db, "poller"), AdvisoryLock(second_db, "poller")
    try:
        assert first.try_acquire() and first.still_held()
        assert not second.try_acquire() and not second.held
        assert AdvisoryLock(second_db, "another role").try_acquire()  # roles do not wait for each other

        first.release()

        assert second.try_acquire() and second.still_held()
        assert not first.try_acquire()
    finally:
        for lock in (first, second):
            lock.release()
        first_db.dispose()
        second_db.dispose()


def test_a_holder_whose_connection_dies_loses_the_lock_and_another_takes_it(postgres_schema_url):
    first_db, second_db = (postgres_db(*postgres_schema_url) for _ in range(2))
    first, second = AdvisoryLock(first_db, "poller"), AdvisoryLock(second_db, "poller")
    try:
        assert first.try_acquire()
        assert first._connection is not None
        backend = first._connection.execute(text("SELECT pg_backend_pid()")).scalar()
        with second_db.engine.connect() as admin:  # the leader's connection dies (a crash, a network cut)
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})

        assert not first.still_held() and not first.held
        assert second.try_acquire()
    finally:
        for lock in (first, second):
            lock.release()
        first_db.dispose()
        second_db.dispose()


def test_the_same_role_in_another_schema_is_another_lock(postgres_schema_url):
    here = postgres_db(*postgres_schema_url)
    elsewhere = postgres_db(postgres_schema_url[0], "public")
    mine, theirs = AdvisoryLock(here, "poller"), AdvisoryLock(elsewhere, "poller")
    try:
        assert mine.try_acquire() and theirs.try_acquire()
    finally:
        mine.release()
        theirs.release()
        here.dispose()
        elsewhere.dispose()


def test_sqlite_is_one_process_which_always_holds_the_lock(db: Database):
    lock = AdvisoryLock(db, "poller")

    assert lock.try_acquire() and lock.still_held()
    lock.release()
    assert not lock.held and lock.try_acquire()
