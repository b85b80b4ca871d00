"""Shared fixtures: a fresh database per test (SQLite always, PostgreSQL when configured), a movable
clock, a router, and a guard that fails any test reaching beyond this machine."""

from __future__ import annotations

import ipaddress
import logging
import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

import handlers  # noqa: F401  (registers the commands)
from handlers.router import Router
from storage.db import Database, make_engine, normalize_url

POSTGRES_URL = os.environ.get("DEVRELBOT_TEST_POSTGRES_URL")
# The local fake Slack Web API and Bot API, as fixtures ``slack_api`` and ``fake_telegram`` for every test.
pytest_plugins = ("tests.fakes.slack_api", "tests.fakes.telegram_api")


# --- no internet ----------------------------------------------------------------------------------


def _is_local(address: object) -> bool:
    if not isinstance(address, tuple):
        return True  # a Unix socket path
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def guarded_connect(self: socket.socket, address: object) -> None:
        if not _is_local(address):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: object) -> int:
        if not _is_local(address):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)


@pytest.fixture(autouse=True)
def logging_ends_with_the_test() -> Iterator[None]:
    """A CLI run in a test configures the root logger (bot.logs.configure_logging) with a handler on the stderr of
    the moment — under CliRunner a buffer closed when the run returns — and its own levels. Afterwards the handlers
    it added go (pytest's own come and go with each phase and are left to it) and the levels are as before, so a
    later test's records never go to a closed stream (tests/test_logging_isolation.py)."""
    root, bot = logging.getLogger(), logging.getLogger("devrelbot")
    before, root_level, bot_level = set(root.handlers), root.level, bot.level
    yield
    for handler in root.handlers[:]:
        if handler not in before and type(handler) is logging.StreamHandler:
            root.removeHandler(handler)
    root.setLevel(root_level)
    bot.setLevel(bot_level)


# --- PostgreSQL must be there when it is configured ------------------------------------------------


def pytest_sessionstart(session: pytest.Session) -> None:
    if not POSTGRES_URL:
        return
    try:
        engine = make_engine(POSTGRES_URL, connect_args={"connect_timeout": 5})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # the suite must fail, not skip, when PostgreSQL was asked for
        pytest.exit(f"DEVRELBOT_TEST_POSTGRES_URL is set but PostgreSQL cannot be reached: {error}", returncode=3)


# --- databases ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database.from_url(f"sqlite:///{path}")
    db.upgrade()
    db.dispose()
    return path


def sqlite_db(template: Path, tmp_path: Path) -> Database:
    path = tmp_path / "devrelbot.db"
    shutil.copy(template, path)
    return Database.from_url(f"sqlite:///{path}")


@pytest.fixture
def postgres_schema_url() -> Iterator[tuple[str, str]]:
    """A fresh, empty schema on the test PostgreSQL: (url, schema). Dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("DEVRELBOT_TEST_POSTGRES_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield normalize_url(POSTGRES_URL), schema
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def postgres_db(url: str, schema: str) -> Database:
    return Database(make_engine(url, connect_args={"options": f"-csearch_path={schema}"}))


@pytest.fixture
def db(migrated_sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated SQLite database."""
    database = sqlite_db(migrated_sqlite_template, tmp_path)
    yield database
    database.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def any_db(request: pytest.FixtureRequest, migrated_sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    """The same test on SQLite and, when DEVRELBOT_TEST_POSTGRES_URL is set, on PostgreSQL."""
    if request.param == "sqlite":
        database = sqlite_db(migrated_sqlite_template, tmp_path)
    else:
        url, schema = request.getfixturevalue("postgres_schema_url")
        database = postgres_db(url, schema)
        database.upgrade()
    yield database
    database.dispose()


# --- time -----------------------------------------------------------------------------------------


class Clock:
    """A clock tests move by hand; nothing in the suite sleeps for a schedule."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 26, 12, 0, tzinfo=UTC))  # a Thursday


@pytest.fixture
def router(db: Database, clock: Clock) -> Router:
    return Router(db, default_timezone="UTC", clock=clock)


@pytest.fixture
def any_router(any_db: Database, clock: Clock) -> Router:
    return Router(any_db, default_timezone="UTC", clock=clock)
