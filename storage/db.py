"""Engines and sessions. Nothing is created at import time: callers build a Database and pass it in."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from storage.faults import heal_on_fault

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"  # where alembic keeps the revision a database is at (its default name)
log = logging.getLogger(f"devrelbot.{__name__}")


def normalize_url(url: str) -> str:
    """Accept the URLs people paste (postgres://, postgresql://) and use the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


DEFAULT_BUSY_TIMEOUT = 30.0  # seconds SQLite waits for another writer's lock before "database is locked"
# FULL syncs every commit (one sync per group-commit batch), so what was acknowledged survives a power cut, not
# only a crash of the process as with NORMAL (in WAL mode). Since the doors' statements run on the driver, FULL
# costs them about 5% (bench/bench_reactions.py --sqlite-synchronous FULL|NORMAL, quiet machine), so the stronger
# promise is the default; NORMAL stays the operator's choice (SQLITE_SYNCHRONOUS) for a slow disk.
DEFAULT_SQLITE_SYNCHRONOUS = "FULL"


def make_engine(
    url: str,
    *,
    echo: bool = False,
    connect_args: dict[str, Any] | None = None,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    synchronous: str = DEFAULT_SQLITE_SYNCHRONOUS,
) -> Engine:
    """``busy_timeout`` (SQLite only): how long a command waits for a lock held elsewhere before it gives up
    (the router then answers "try again in a moment"). ``synchronous`` (SQLite only): FULL or NORMAL."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        if synchronous not in ("FULL", "NORMAL"):
            raise ValueError(f"synchronous must be FULL or NORMAL, not {synchronous!r}")
        args = {"check_same_thread": False, "timeout": busy_timeout, **(connect_args or {})}
        engine = create_engine(url, echo=echo, connect_args=args)
        event.listen(engine, "connect", partial(_sqlite_pragmas, busy_ms=round(busy_timeout * 1000),
                                                synchronous=synchronous))
        event.listen(engine, "begin", _sqlite_begin)
        heal_on_fault(engine)
        return engine
    engine = create_engine(url, echo=echo, pool_pre_ping=True, connect_args=connect_args or {})
    heal_on_fault(engine)
    return engine


# SQLAlchemy's documented recipe for pysqlite ("Serializable isolation / Savepoints / Transactional DDL"): the
# driver's own transaction handling is switched off (``isolation_level = None``) and SQLAlchemy's ``begin``
# emits the BEGIN itself. Without it the driver defers BEGIN to the first INSERT/UPDATE/DELETE, so a SAVEPOINT
# that is the transaction's first write starts a transaction of its own and commits on RELEASE — a rolled-back
# unit of work could leave rows behind — and DDL ran outside any transaction.
SQLITE_BEGIN_OPTION = "sqlite_begin"


def _sqlite_begin(conn: Connection) -> None:
    """Writers begin IMMEDIATE: they take the write lock (waiting up to the busy timeout) before they read, so
    what they read is still true when they write, and a read-then-write never fails on a stale snapshot.
    A session asked for as a reader (``Database.reader``) begins DEFERRED and never blocks the writers."""
    mode = conn.get_execution_options().get(SQLITE_BEGIN_OPTION, "IMMEDIATE")
    conn.exec_driver_sql(f"BEGIN {mode}")


def _sqlite_pragmas(
    dbapi_connection: Any, _record: Any, *, busy_ms: int = 30000, synchronous: str = DEFAULT_SQLITE_SYNCHRONOUS
) -> None:
    dbapi_connection.isolation_level = None  # the driver emits no BEGIN/COMMIT of its own (see _sqlite_begin)
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")  # first: the next pragma may already need to wait
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA synchronous={synchronous}")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with alembic, whatever revision the database is at."""
    # Imported here, not at the top: alembic (with the mako and pygments its utilities pull in) is a tenth of the
    # console's start-up, and only a database behind the code needs it (see upgrade_to_head).
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def head_revision() -> str:
    """The newest migration's revision id, from the file names: ``0024_inbox_leases.py`` is revision ``0024``
    (tests/storage/test_migrations.py holds every migration to that, and checks this against alembic's own head).
    Read without alembic: ``ScriptDirectory`` would import it and load every migration."""
    return max(path.name.split("_", 1)[0] for path in (MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py"))


def schema_revision(engine: Engine) -> str | None:
    """The revision the database is at: None when it has no schema yet (or, on a branched history, several)."""
    # DEFERRED: a read, so it does not wait for (or hold) SQLite's write lock; a database that is away raises
    # here as it would in alembic, so wait_for_database retries it the same way.
    with engine.execution_options(**{SQLITE_BEGIN_OPTION: "DEFERRED"}).connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        revisions = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    return revisions[0] if len(revisions) == 1 else None


def upgrade_to_head(engine: Engine) -> None:
    """Bring the schema to the newest revision (the bot does this on every start). A database already there —
    every start but the first after a release — is only read: alembic is neither imported nor run, about a
    tenth of the console's start-up (bench/bench_startup.py)."""
    if schema_revision(engine) != head_revision():
        upgrade(engine)


@dataclass(frozen=True)
class Database:
    engine: Engine

    @classmethod
    def from_url(
        cls, url: str, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT, synchronous: str = DEFAULT_SQLITE_SYNCHRONOUS
    ) -> Database:
        return cls(make_engine(url, busy_timeout=busy_timeout, synchronous=synchronous))

    def describe(self) -> str:
        """Where the database is, for a log line (never the password)."""
        url = self.engine.url
        if url.get_backend_name() == "sqlite":
            return f"SQLite file {url.database}"
        return f"PostgreSQL {url.host}:{url.port or 5432}/{url.database}"

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back on any exception (all of it, on SQLite
        too). On SQLite it holds the write lock from its first statement: see ``_sqlite_begin``."""
        with self._session(self.engine) as session:
            yield session

    @contextmanager
    def writer(self) -> Iterator[Connection]:
        """A unit of work in Core statements only, without an ORM session (a command's hot path): committed when
        the block ends, rolled back on any exception; on SQLite it holds the write lock from its BEGIN."""
        with self.engine.begin() as connection:
            yield connection

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A unit of work that only reads (building a report): on SQLite it does not take the write lock, so a
        long read never holds up the writers. Writing in it may fail with "database is locked"."""
        with self._session(self.engine.execution_options(**{SQLITE_BEGIN_OPTION: "DEFERRED"})) as session:
            yield session

    @staticmethod
    @contextmanager
    def _session(bind: Engine) -> Iterator[Session]:
        started = time.perf_counter()
        with Session(bind, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
                log.debug("unit of work committed after %.1f ms", (time.perf_counter() - started) * 1000)
            except BaseException:
                session.rollback()
                raise

    def upgrade(self) -> None:
        upgrade_to_head(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()
