"""devrelbot db backup out.db: a consistent copy of the SQLite database, made while the bot writes."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.console import LOCAL_CHAT
from tests.helpers import say


@pytest.fixture(autouse=True)
def logging_kept() -> Iterator[None]:
    """The CLI sets up logging on the runner's stderr, which closes after: put the test run's logging back."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level, logging.getLogger("devrelbot").level
    yield
    root.handlers[:], root.level = saved[0], saved[1]
    logging.getLogger("devrelbot").setLevel(saved[2])


def titles_in(path) -> list[str]:  # noqa: ANN001
    with sqlite3.connect(path) as copy:
        return [row[0] for row in copy.execute("SELECT title FROM activity ORDER BY id")]


def test_the_copy_holds_what_was_committed_while_writes_go_on(router, db, tmp_path, monkeypatch):
    say(router, '/log talk "Before the backup" @ Conf 2026-11-20', chat=LOCAL_CHAT)
    monkeypatch.setenv("DATABASE_URL", str(db.engine.url))
    stop = threading.Event()

    def keep_writing() -> None:
        n = 0
        while not stop.is_set():
            say(router, f'/log talk "During {n}" @ Conf 2026-11-20', chat=LOCAL_CHAT)
            n += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        result = CliRunner().invoke(app, ["db", "backup", str(tmp_path / "copy.db")])
    finally:
        stop.set()
        writer.join()

    assert result.exit_code == 0, result.output
    assert "consistent copy" in result.output
    copied = titles_in(tmp_path / "copy.db")
    # A snapshot: what was committed up to one moment, in order, with no gap.
    assert copied == ["Before the backup"] + [f"During {n}" for n in range(len(copied) - 1)]
    assert len(titles_in(db.engine.url.database)) >= len(copied)
    with sqlite3.connect(tmp_path / "copy.db") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert not (tmp_path / "copy.db.partial").exists()


def test_it_never_overwrites_and_sends_postgresql_to_pg_dump(db, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", str(db.engine.url))
    (tmp_path / "taken.db").write_bytes(b"keep me")

    taken = CliRunner().invoke(app, ["db", "backup", str(tmp_path / "taken.db")])
    assert taken.exit_code == 2 and "exists" in taken.output
    assert (tmp_path / "taken.db").read_bytes() == b"keep me"

    monkeypatch.setenv("DATABASE_URL", "postgresql://bot@db.invalid:5432/devrelbot")
    postgres = CliRunner().invoke(app, ["db", "backup", str(tmp_path / "pg.db")])
    assert postgres.exit_code == 2 and "pg_dump" in postgres.output
    assert not (tmp_path / "pg.db").exists()
