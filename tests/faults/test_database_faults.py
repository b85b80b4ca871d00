"""The database away: locked by another writer (SQLite) or unreachable (PostgreSQL). A command answers "try
again in a moment", writes nothing, and once the lock is released or the database is back the very next
command works — same process, same engine, no restart."""

from __future__ import annotations

import shutil
import socket
import sqlite3
import threading
from contextlib import closing

from sqlalchemy.engine import make_url
from sqlmodel import select

from handlers.router import Router
from storage.db import Database, make_engine
from storage.models import Activity
from tests.dbstate import snapshot
from tests.helpers import BOB, say, text_of

TRY_AGAIN = "try again in a moment"
LOG = '/log talk "{title}" @ Conf 2026-11-20 audience=300 contacts=25 cost=100 #backend #dba notes="n"'
PLAN = '/plan add article "{title}" due 2026-12-10 @ Habr #kafka'


def titles(db: Database) -> list[str]:
    with db.session() as s:
        return sorted(a.title for a in s.exec(select(Activity)))


# --- SQLite: another connection holds the write lock ---------------------------------------------------------


def test_a_locked_sqlite_database_asks_to_try_again_writes_nothing_and_recovers(
    migrated_sqlite_template, tmp_path, clock
):
    path = tmp_path / "locked.db"
    shutil.copy(migrated_sqlite_template, path)
    db = Database.from_url(f"sqlite:///{path}", busy_timeout=0.3)
    router = Router(db, clock=clock)
    assert "Logged" in text_of(say(router, LOG.format(title="Before")))
    say(router, "/help", user=BOB)
    before = snapshot(db)

    holder = sqlite3.connect(path, isolation_level=None, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        replies = [say(router, line) for line in (LOG.format(title="During"), PLAN.format(title="Planned during"),
                                                  "/update 1 audience=999", "/delete 1 confirm")]
        new_member = say(router, "/list", user=BOB.__class__("console", "u-carol", "carol"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    for reply in replies:
        assert reply.is_error and TRY_AGAIN in text_of(reply), text_of(reply)
    # Reading works under a writer's lock (WAL); a new member would have to be written, so it waits too.
    assert new_member.is_error and TRY_AGAIN in text_of(new_member)
    assert snapshot(db) == before  # nothing half-written: no activity without its tags or reminders

    after = say(router, LOG.format(title="After"))
    assert "Logged" in text_of(after)
    assert "updated" in text_of(say(router, "/update 1 audience=999")).lower()
    assert titles(db) == ["After", "Before"]
    db.dispose()


def test_the_busy_timeout_is_set_on_every_connection(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}", busy_timeout=1.5)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1500
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_sqlite_syncs_every_commit_unless_the_operator_asks_for_less(tmp_path):
    """SQLITE_SYNCHRONOUS=FULL (the default): what the bot acknowledged survives a power cut too; NORMAL a crash."""
    full, normal = 2, 1  # what PRAGMA synchronous reports
    for engine, expected in ((make_engine(f"sqlite:///{tmp_path / 'x.db'}"), full),
                             (make_engine(f"sqlite:///{tmp_path / 'y.db'}", synchronous="NORMAL"), normal)):
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == expected
        engine.dispose()


# --- PostgreSQL: the server goes away and comes back --------------------------------------------------------


class Outage:
    """A TCP forwarder in front of PostgreSQL on a fixed local port: ``down()`` closes the port and cuts every
    live connection (the server is gone); ``up()`` listens again on the same port (it is back)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        with closing(socket.socket()) as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._listener: socket.socket | None = None
        self._links: list[socket.socket] = []
        self._lock = threading.Lock()

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        if self._listener is not None:
            with_shutdown(self._listener)  # shutdown wakes the thread blocked in accept(); close alone does not
            self._listener = None
        with self._lock:
            for link in self._links:
                with_shutdown(link)
            self._links.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            with self._lock:
                self._links += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with_shutdown(dst)


def with_shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


def test_an_unreachable_postgresql_asks_to_try_again_and_the_next_command_after_it_is_back_works(
    postgres_schema_url, clock
):
    url, schema = postgres_schema_url
    direct = Database(make_engine(url, connect_args={"options": f"-csearch_path={schema}"}))
    direct.upgrade()
    parsed = make_url(url)
    outage = Outage((parsed.host or "127.0.0.1", parsed.port or 5432))
    proxied = parsed.set(host="127.0.0.1", port=outage.port).render_as_string(hide_password=False)
    db = Database(make_engine(proxied, connect_args={"options": f"-csearch_path={schema}", "connect_timeout": 2}))
    router = Router(db, clock=clock)

    # Never reachable yet: a closed local port.
    first = say(router, LOG.format(title="Nobody home"))
    assert first.is_error and TRY_AGAIN in text_of(first)

    outage.up()
    assert "Logged" in text_of(say(router, LOG.format(title="Before")))
    before = snapshot(direct)

    outage.down()  # the server goes away with the pool's connections in it
    try:
        for line in (LOG.format(title="During"), "/update 1 audience=5", "/list"):
            reply = say(router, line)
            assert reply.is_error and TRY_AGAIN in text_of(reply), text_of(reply)
        assert snapshot(direct) == before
    finally:
        outage.up()  # back on the same address

    assert "Logged" in text_of(say(router, LOG.format(title="After")))
    assert titles(direct) == ["After", "Before"]
    outage.down()
    db.dispose()
    direct.dispose()
