"""Empty → head on SQLite and PostgreSQL, and no difference between the models and the migrated schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from storage.db import Database, upgrade
from tests.conftest import postgres_db


def _diff(db: Database) -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)


def test_sqlite_empty_to_head_matches_the_models(tmp_path):
    db = Database.from_url(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(db.engine)
    tables = set(inspect(db.engine).get_table_names())
    assert {"team", "chat_binding", "member", "activity", "activity_tag", "processed_event"} <= tables
    assert _diff(db) == []
    upgrade(db.engine)  # running again on an up-to-date schema is a no-op
    db.dispose()


def test_postgres_empty_to_head_matches_the_models(postgres_schema_url):
    url, schema = postgres_schema_url
    db = postgres_db(url, schema)
    upgrade(db.engine)
    assert "activity" in inspect(db.engine).get_table_names()
    assert _diff(db) == []
    db.dispose()


def test_the_team_date_kind_query_is_an_index_range_scan(db):
    with db.engine.connect() as conn:
        plan = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT kind, count(*) FROM activity "
            "WHERE team_id = 1 AND date >= '2026-11-01' AND date < '2026-12-01' GROUP BY kind"
        ).all()
    details = " ".join(str(row[-1]) for row in plan)
    expected = "SEARCH activity USING COVERING INDEX ix_activity_team_date_kind (team_id=? AND date>? AND date<?)"
    assert expected in details
