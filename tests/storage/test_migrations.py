"""Empty → head on SQLite and PostgreSQL, and no difference between the models and the migrated schema; the
start's upgrade migrates a database that is behind and only reads one that is at head."""

from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

from storage.db import Database, alembic_config, head_revision, schema_revision, upgrade
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


def test_the_head_read_from_the_file_names_is_alembics_head(tmp_path):
    db = Database.from_url(f"sqlite:///{tmp_path / 'any.db'}")
    scripts = ScriptDirectory.from_config(alembic_config(db.engine))
    db.dispose()
    assert scripts.get_heads() == [head_revision()]
    # What head_revision relies on: each migration's file name starts with its revision id, and ids sort in order.
    for revision in scripts.walk_revisions():
        assert re.fullmatch(rf"{revision.revision}_\w+\.py", Path(revision.path).name), revision.path


def test_the_start_migrates_a_fresh_database(tmp_path):
    db = Database.from_url(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert schema_revision(db.engine) is None
    db.upgrade()
    assert schema_revision(db.engine) == head_revision()
    assert _diff(db) == []
    db.dispose()


@pytest.mark.parametrize("behind", ["0001", "0023"])
def test_the_start_upgrades_a_database_at_an_older_revision(tmp_path, behind):
    db = Database.from_url(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(db.engine, behind)
    assert schema_revision(db.engine) == behind
    db.upgrade()
    assert schema_revision(db.engine) == head_revision()
    assert _diff(db) == []
    db.dispose()


def test_the_start_on_a_database_at_head_does_not_run_alembic(db):
    with mock.patch("alembic.command.upgrade") as alembic_upgrade:
        db.upgrade()
    alembic_upgrade.assert_not_called()
    assert schema_revision(db.engine) == head_revision()


def test_postgres_start_migrates_an_empty_schema_then_finds_it_at_head(postgres_schema_url):
    url, schema = postgres_schema_url
    db = postgres_db(url, schema)
    assert schema_revision(db.engine) is None
    db.upgrade()
    assert schema_revision(db.engine) == head_revision()
    with mock.patch("alembic.command.upgrade") as alembic_upgrade:
        db.upgrade()
    alembic_upgrade.assert_not_called()
    db.dispose()
