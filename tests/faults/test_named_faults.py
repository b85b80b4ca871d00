"""Database faults are named and healed: a read-only file, a missing folder, a full disk, an unreachable server
and a lock held too long each get their own answer and one log line; the bot recovers without a restart."""

from __future__ import annotations

import logging
import shutil
import sqlite3

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import select

from bot.app import wait_for_database
from handlers.router import Router
from storage.db import Database
from storage.faults import Fault, classify
from storage.models import Activity
from tests.helpers import say, text_of

LOG = '/log talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300'


def driver_error(message: str) -> OperationalError:
    return OperationalError("INSERT …", {}, sqlite3.OperationalError(message))


@pytest.mark.parametrize(("message", "fault"), [
    ("database is locked", Fault.LOCKED),
    ("attempt to write a readonly database", Fault.READ_ONLY),
    ("unable to open database file", Fault.NO_FILE),
    ("database or disk is full", Fault.DISK_FULL),
    ('connection failed: connection to server at "127.0.0.1", port 1 failed: Connection refused', Fault.UNREACHABLE),
    ("server closed the connection unexpectedly", Fault.UNREACHABLE),
    ("no such table: activity", None),  # a bug, not a fault: logged with its traceback
])
def test_each_fault_is_told_apart(message, fault):
    assert classify(driver_error(message)) is fault


def test_a_pool_timeout_is_a_busy_database():
    assert classify(PoolTimeout("QueuePool limit reached")) is Fault.LOCKED


def test_a_read_only_database_is_named_and_writes_work_again_once_it_is_writable(
    migrated_sqlite_template, tmp_path, clock, caplog
):
    path = tmp_path / "ro.db"
    shutil.copy(migrated_sqlite_template, path)
    db = Database.from_url(f"sqlite:///{path}")
    file_state = {"writable": False}

    @event.listens_for(db.engine, "connect")
    def opened(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # SQLite opens a file it may not write read-only, and the connection stays read-only afterwards.
        if not file_state["writable"]:
            dbapi_connection.execute("PRAGMA query_only=ON")

    router = Router(db, clock=clock)
    with caplog.at_level(logging.WARNING):
        refused = say(router, LOG)
    assert refused.is_error and "read-only" in text_of(refused) and "Nothing was saved" in text_of(refused)
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1 and "read-only" in lines[0].getMessage() and lines[0].exc_info is None

    file_state["writable"] = True  # the operator fixed the permissions; the bot keeps running
    assert "Logged" in text_of(say(router, LOG))
    with db.session() as session:
        assert len(session.exec(select(Activity)).all()) == 1
    db.dispose()


def test_start_up_against_an_unreachable_server_says_so_in_one_line_per_try_and_goes_on_when_it_is_back(
    migrated_sqlite_template, tmp_path, caplog
):
    path = tmp_path / "later.db"
    db = Database.from_url(f"sqlite:///{path}")
    server = {"up": False}

    @event.listens_for(db.engine, "do_connect")
    def connect(dialect, conn_rec, cargs, cparams):  # type: ignore[no-untyped-def]
        if not server["up"]:
            raise sqlite3.OperationalError("connection refused")  # what psycopg says when the server is down
        return None

    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 3:
            server["up"] = True

    with caplog.at_level(logging.INFO):
        wait_for_database(db, sleep=sleep)
    assert waits == [1.0, 2.0, 4.0]  # backing off
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 3 and all("unreachable" in r.getMessage() and r.exc_info is None for r in lines)
    with db.session() as session:
        assert session.exec(select(Activity)).all() == []  # migrated once it was reachable
    db.dispose()
