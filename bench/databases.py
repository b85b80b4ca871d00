"""The databases a benchmark runs on: a fresh SQLite file, then — given a URL — a fresh schema on PostgreSQL
(dropped afterwards). Both migrated to the latest schema, as the bot would leave them."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

from sqlalchemy import text

from storage.db import DEFAULT_SQLITE_SYNCHRONOUS, Database, make_engine, normalize_url


def benchmark_databases(
    postgres_url: str | None,
    *,
    sqlite_label: str = "SQLite (file, WAL)",
    sqlite_synchronous: Sequence[str] = (DEFAULT_SQLITE_SYNCHRONOUS,),
) -> Iterator[tuple[str, Database]]:
    """A fresh SQLite file per ``synchronous`` setting, then PostgreSQL."""
    for synchronous in sqlite_synchronous:
        with tempfile.TemporaryDirectory() as tmp:
            db = Database.from_url(f"sqlite:///{Path(tmp) / 'bench.db'}", synchronous=synchronous)
            db.upgrade()
            try:
                yield f"{sqlite_label}, synchronous={synchronous}", db
            finally:
                db.dispose()
    if not postgres_url:
        print("PostgreSQL: skipped (give --postgres URL or set DEVRELBOT_TEST_POSTGRES_URL)")
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(postgres_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        db = Database(make_engine(normalize_url(postgres_url), connect_args={"options": f"-csearch_path={schema}"}))
        db.upgrade()
        try:
            yield "PostgreSQL", db
        finally:
            db.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
