"""A new activity written with Core statements built once: its row, its tags, its reminders and its history, in
the caller's transaction.

This is the work of the ORM path (:func:`storage.activities.create_activity`, then
:func:`storage.reminders.reschedule` with ``new=True``) without the ORM's cost per object and per flush; ``/log``
runs it on every command. tests/storage/test_activity_insert.py holds the two paths to the same rows.

The history listener (:mod:`storage.history`) sees only ORM flushes: these inserts bypass it, so the history's
"create" rows are written here explicitly — the rows the listener and ``record_tags`` would have written — in the
same transaction, so a logged activity is in /history and can be deleted and restored like any other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Connection, insert, inspect

from storage import history
from storage.activities import title_key
from storage.domain import Kind, Status
from storage.models import Activity, ActivityTag, Reminder, utcnow
from storage.reminders import ReminderSettings, first_reminders

_ACTIVITY = Activity.__table__  # type: ignore[attr-defined]
_INSERT_ACTIVITY = insert(_ACTIVITY)
_INSERT_TAGS = insert(ActivityTag.__table__)  # type: ignore[attr-defined]
_INSERT_REMINDERS = insert(Reminder.__table__)  # type: ignore[attr-defined]


def insert_activity(
    connection: Connection,
    *,
    team_id: int,
    kind: Kind,
    title: str,
    on: date,
    status: Status,
    values: Mapping[str, Any],
    tags: Iterable[str],
    owner_id: int | None,
    created_by: int | None,
    reminders: ReminderSettings,
    actor: history.Actor,
    now: datetime,
) -> Activity:
    """The arguments are :func:`storage.activities.create_activity`'s, plus what reschedule reads of the team
    (``reminders``) and who acts (``actor``: the ORM path takes it from the session). Returns the activity as
    a detached object (to render the reply)."""
    row = _complete({
        "team_id": team_id, "kind": kind.value, "title": title, "title_key": title_key(title),
        "status": status.value, "date": on, "owner_id": owner_id, "created_by": created_by,
        "updated_by": created_by, **values,
    })
    # The columns left out are NULL: fewer parameters to process (a statement is compiled, once, per set).
    given = {name: value for name, value in row.items() if value is not None}
    activity_id = connection.execute(_INSERT_ACTIVITY, given).inserted_primary_key[0]  # type: ignore[index]
    tag_set = sorted(set(tags))
    if tag_set:
        connection.execute(_INSERT_TAGS, [{"activity_id": activity_id, "tag": tag} for tag in tag_set])
    history.write_rows(connection, history.change_rows(
        actor=actor, team_id=team_id, activity_id=activity_id, action="create",
        fields=history.created_fields(row, tags=tag_set)))
    due = first_reminders(kind=row["kind"], status=row["status"], on=on, due=row["due_date"], settings=reminders,
                          now=now)
    if due:
        connection.execute(_INSERT_REMINDERS, [
            {"team_id": team_id, "activity_id": activity_id, "kind": reminder.value, "due_at": at,
             "next_attempt_at": at, "attempts": 0, "created_at": utcnow()} for reminder, at in due])
    return _as_loaded({"id": activity_id, **row})


_COLUMNS: tuple[Column[Any], ...] = tuple(c for c in _ACTIVITY.columns if c.name != "id")
_MANAGER = inspect(Activity).class_manager


def _as_loaded(row: dict[str, Any]) -> Activity:
    """A detached Activity built the way the ORM builds one it loads from a row: a new instance whose attributes
    are filled in directly. ``Activity(**row)`` would validate and track each of ~35 attributes one by one, which
    cost a sixth of /log's whole time; the object is only read (the reply), never added to a session."""
    activity = _MANAGER.new_instance()
    activity.__dict__.update(row)
    return activity


def _complete(values: dict[str, Any]) -> dict[str, Any]:
    """Every column's value, the columns' defaults for those not given (as the ORM would give them), so the row
    inserted, the history's "create" rows and the object returned agree."""
    row = {}
    for column in _COLUMNS:
        if column.name in values:
            row[column.name] = values[column.name]
        elif column.default is None:
            row[column.name] = None
        elif column.default.is_callable:
            row[column.name] = column.default.arg(None)  # type: ignore[attr-defined]
        else:
            row[column.name] = column.default.arg  # type: ignore[attr-defined]
    unknown = values.keys() - row.keys()
    if unknown:
        raise TypeError(f"not columns of activity: {sorted(unknown)}")
    return row
