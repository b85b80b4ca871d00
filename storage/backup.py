"""An online copy of a SQLite database (``devrelbot db backup out.db``): sqlite3's backup API copies the pages
through a connection of its own, so the copy is one consistent snapshot even while the bot writes (a plain file
copy of a database in WAL mode may not be). PostgreSQL has ``pg_dump`` for this (docs/deploy.md)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage.db import Database


class BackupError(Exception):
    """The copy cannot be made; the message says why and what to do instead."""


def backup_sqlite(db: Database, target: Path, *, pages_per_step: int = 1024) -> int:
    """Copy the database to ``target`` (a new file; written beside it first and moved into place when whole).
    Returns the size of the copy in bytes."""
    if db.is_postgres:
        raise BackupError("this is a PostgreSQL database: back it up with pg_dump (docs/deploy.md)")
    source_path = db.engine.url.database
    if not source_path or source_path == ":memory:":
        raise BackupError("the database is not a file")
    if target.exists():
        raise BackupError(f"{target} exists; give a new file name")
    if target.resolve() == Path(source_path).resolve():
        raise BackupError("the copy cannot be the database itself")
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(source_path, timeout=30)  # it only reads; in WAL mode the writers go on meanwhile
    try:
        copy = sqlite3.connect(partial)
        try:
            # In steps: a writer waiting for the lock between steps is not held up for the whole copy.
            source.backup(copy, pages=pages_per_step)
        finally:
            copy.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    partial.rename(target)
    return target.stat().st_size
