"""Deleted activities, kept for a while so an admin can /restore them with the same id.

A delete moves the activity's row and its dependants' rows into ``archived_activity`` (as JSON) and removes
them, so every read of the ledger stays correct without knowing about deletes; a restore puts the same rows
back, ids and all (ids are never reused, so the id is still free). Housekeeping prunes the archive after the
retention period.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, DateTime, Float, Numeric, Table, TypeDecorator, delete, insert, select, update
from sqlmodel import Session, SQLModel, col

from storage import history
from storage.models import (
    Activity,
    ActivityTag,
    ArchivedActivity,
    ChecklistTick,
    FeedbackCard,
    HireSurvey,
    Interaction,
    Vote,
    VoteOrder,
    VoteTally,
)

# What goes with an activity, parents first (a restore inserts in this order): the rows that reference it
# (or its feedback cards) and would vanish with it. Reminders are not kept: a restore schedules them anew.
_OWN: tuple[type[SQLModel], ...] = (Activity, ActivityTag, ChecklistTick, FeedbackCard)
_BY_CARD: tuple[type[SQLModel], ...] = (Vote, VoteOrder, VoteTally)
# Rows that only point at it (SET NULL on delete): pointed back on restore when they are still there.
_POINTERS: tuple[type[SQLModel], ...] = (HireSurvey, Interaction)


def _table(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _typed(table: Table, name: str, value: Any) -> Any:
    """A JSON value back into what the column holds (JSON has no dates or decimals: they were kept as text)."""
    if not isinstance(value, str):
        return value
    kind = table.c[name].type
    if isinstance(kind, TypeDecorator):  # SQLModel's UTCDateTime
        kind = kind.impl_instance
    parse: Callable[[str], Any] | None = (
        datetime.fromisoformat if isinstance(kind, DateTime) else date.fromisoformat if isinstance(kind, Date)
        else None if isinstance(kind, Float) else Decimal if isinstance(kind, Numeric) else None)
    return parse(value) if parse is not None else value


def _rows(session: Session, model: type[SQLModel], column: str, ids: list[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    table = _table(model)
    found = session.connection().execute(select(table).where(table.c[column].in_(ids))).mappings().all()
    return [{key: _plain(value) for key, value in row.items()} for row in found]


def archive(session: Session, *, activity: Activity, deleted_by: int | None, now: datetime) -> None:
    """Move the activity and what belongs to it into the archive, and delete them (recorded in the history)."""
    session.flush()  # what the rows say now, also changes not written yet
    activity_id = activity.id
    assert activity_id is not None
    kept: dict[str, list[dict[str, Any]]] = {}
    for model in _OWN:
        kept[_table(model).name] = _rows(session, model, "id" if model is Activity else "activity_id", [activity_id])
    cards = [row["id"] for row in kept[_table(FeedbackCard).name]]
    for model in _BY_CARD:
        kept[_table(model).name] = _rows(session, model, "card_id", cards)
    pointers = {_table(m).name: [r["id"] for r in _rows(session, m, "activity_id", [activity_id])] for m in _POINTERS}
    payload = {"rows": kept, "pointers": pointers}
    session.add(ArchivedActivity(activity_id=activity_id, team_id=activity.team_id, title=activity.title,
                                 rows=json.dumps(payload, ensure_ascii=False), deleted_by=deleted_by, deleted_at=now))
    for model in reversed(_BY_CARD + _OWN[1:]):
        column = "card_id" if model in _BY_CARD else "activity_id"
        ids = cards if model in _BY_CARD else [activity_id]
        if ids:
            session.connection().execute(delete(_table(model)).where(_table(model).c[column].in_(ids)))
    session.delete(activity)  # through the ORM, so the history records the delete
    session.flush()


def archived(session: Session, *, team_id: int, activity_id: int) -> ArchivedActivity | None:
    found = session.get(ArchivedActivity, activity_id)
    return found if found is not None and found.team_id == team_id else None


def restore(session: Session, *, entry: ArchivedActivity) -> Activity:
    """Put the archived rows back with their ids, point the surveys and interactions back, record it."""
    payload = json.loads(entry.rows)
    rows: dict[str, list[dict[str, Any]]] = payload["rows"]
    for model in (*_OWN, *_BY_CARD):
        table = _table(model)
        wanted = [{k: _typed(table, k, v) for k, v in row.items() if k in table.c} for row in rows.get(table.name, [])]
        if wanted:
            session.connection().execute(insert(table), wanted)
    for model in _POINTERS:
        table = _table(model)
        ids = payload["pointers"].get(table.name, [])
        if ids:
            session.connection().execute(update(table).where(table.c.id.in_(ids), table.c.activity_id.is_(None))
                                         .values(activity_id=entry.activity_id))
    history.record(session, team_id=entry.team_id, activity_id=entry.activity_id, action="restore",
                   fields=[("title", None, entry.title)])
    session.delete(entry)
    session.flush()
    activity = session.get(Activity, entry.activity_id)
    assert activity is not None
    return activity


def prune_before(session: Session, *, cutoff: datetime) -> int:
    """Forget activities deleted before ``cutoff`` for good; how many."""
    result = session.connection().execute(
        delete(_table(ArchivedActivity)).where(col(ArchivedActivity.deleted_at) < cutoff))
    return int(result.rowcount or 0)
