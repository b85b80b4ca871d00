"""Every row of every table, to assert that something changed nothing in the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, inspect, select
from sqlmodel import SQLModel

from storage.db import Database


def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """All rows of all tables the models know (and that exist in this database), in a stable order."""
    existing = set(inspect(db.engine).get_table_names())
    state: dict[str, list[tuple[Any, ...]]] = {}
    with db.engine.connect() as conn:
        for name, table in sorted(SQLModel.metadata.tables.items()):
            if name in existing:
                state[name] = sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
    return state


def counts(db: Database) -> dict[str, int]:
    return {name: len(rows) for name, rows in snapshot(db).items()}


def ledger_counts(db: Database) -> tuple[int, int]:
    """How many activities and tags there are: what a refused /log or /update must leave as it was."""
    from storage.models import Activity, ActivityTag

    with db.session() as session:
        activities = session.scalar(select(func.count()).select_from(Activity))
        tags = session.scalar(select(func.count()).select_from(ActivityTag))
    return activities or 0, tags or 0
