"""The databases a benchmark runs on: a fresh SQLite file, then — given a URL — a fresh schema on PostgreSQL
(dropped afterwards). Both migrated to the latest schema, as the bot would leave them."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import text

from storage.db import Database, make_engine, normalize_url


def benchmark_databases(postgres_url: str | None, *, sqlite_label: str = "SQLite") -> Iterator[tuple[str, Database]]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database.from_url(f"sqlite:///{Path(tmp) / 'bench.db'}")
        db.upgrade()
        try:
            yield sqlite_label, db
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
