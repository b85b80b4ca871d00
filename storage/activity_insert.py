"""A new activity written with statements built once: its row, its tags, its reminders and its history, in the
caller's transaction.

This is the work of the ORM path (:func:`storage.activities.create_activity`, then
:func:`storage.reminders.reschedule` with ``new=True``) without the ORM's cost per object and per flush; ``/log``
runs it on every command. tests/storage/test_activity_insert.py holds the two paths to the same rows.

The history listener (:mod:`storage.history`) sees only ORM flushes: these inserts bypass it, so the history's
"create" rows are written here explicitly — the rows the listener and ``record_tags`` would have written — in the
same transaction, so a logged activity is in /history and can be deleted and restored like any other.

The statements run on the driver's cursor (:mod:`storage.driver`; through SQLAlchemy each cost more Python than
the database's own work). The activity's row is selected through its team (:func:`storage.chat_context.
generation_guard`), so a command working from a cached copy of its team checks that copy with its first write
instead of a statement of its own. On PostgreSQL the row, its tags, its history and its reminders are one
statement (an ``INSERT … RETURNING`` and three data-modifying ``WITH`` queries over arrays): one round trip to
the server instead of four. SQLite has no data-modifying ``WITH``; there each table gets its insert, the rows of
one table in one ``executemany``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ARRAY, Column, Connection, Integer, String, Text, cast, func, insert, inspect, literal, select
from sqlalchemy import bindparam as param

from storage import history
from storage.activities import title_key
from storage.chat_context import StaleContext, generation_guard
from storage.domain import Kind, Status
from storage.driver import DriverStatement
from storage.models import Activity, ActivityTag, Change, Reminder, utcnow
from storage.reminders import ReminderSettings, first_reminders

_ACTIVITY = Activity.__table__  # type: ignore[attr-defined]
_TAG = ActivityTag.__table__  # type: ignore[attr-defined]
_CHANGE = Change.__table__  # type: ignore[attr-defined]
_REMINDER = Reminder.__table__  # type: ignore[attr-defined]
_COLUMNS: tuple[Column[Any], ...] = tuple(c for c in _ACTIVITY.columns if c.name != "id")


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
    generation: int | None = None,
) -> Activity:
    """The arguments are :func:`storage.activities.create_activity`'s, plus what reschedule reads of the team
    (``reminders``) and who acts (``actor``: the ORM path takes it from the session). Returns the activity as
    a detached object (to render the reply).

    ``generation``: the generation of the team a cached copy was read at; nothing is written, and
    :class:`~storage.chat_context.StaleContext` is raised, unless the team is still at it (None: no check)."""
    row = _complete({
        "team_id": team_id, "kind": kind.value, "title": title, "title_key": title_key(title),
        "status": status.value, "date": on, "owner_id": owner_id, "created_by": created_by,
        "updated_by": created_by, **values,
    })
    tag_set = sorted(set(tags))
    changes = history.change_rows(actor=actor, team_id=team_id, activity_id=None, action="create",
                                  fields=history.created_fields(row, tags=tag_set))
    due = first_reminders(kind=row["kind"], status=row["status"], on=on, due=row["due_date"], settings=reminders,
                          now=now)
    write = _one_statement if connection.dialect.name == "postgresql" else _statement_per_table
    activity_id = write(connection, {**row, "generation": generation}, tag_set, changes, due)
    if activity_id is None:
        raise StaleContext(f"team {team_id} is no longer at generation {generation}")
    return _as_loaded({"id": activity_id, **row})


Due = Sequence[tuple[Any, datetime]]  # (the reminder's kind, when it is due)


def _insert_activity(*, typed: bool) -> Any:
    """``INSERT INTO activity … SELECT :values FROM team WHERE <the guard> RETURNING id`` — on PostgreSQL with the
    team's row FOR SHARE, and (``typed``) each value cast to its column's type, so a NULL reads as one (psycopg
    sends None untyped). Not on SQLite, whose CAST would turn a date into a number."""
    values = [param(c.name, type_=c.type) for c in _COLUMNS]
    row = select(*(cast(value, value.type) for value in values) if typed else values)
    return (insert(_ACTIVITY).from_select([c.name for c in _COLUMNS],
                                          row.where(generation_guard()).with_for_update(read=True))
            .returning(_ACTIVITY.c.id))


_CHANGE_VALUES = ("team_id", "action", "member_id", "actor", "door", "at")  # the same in each of a write's rows

# SQLite: one statement per table.
_SQLITE_ACTIVITY = DriverStatement(_insert_activity(typed=False), observed=True)
_SQLITE_TAGS = DriverStatement(insert(_TAG).values(activity_id=param("activity_id"), tag=param("tag")), observed=True)
_SQLITE_CHANGES = DriverStatement(
    insert(_CHANGE).values({name: param(name) for name in ("activity_id", "field", "old", "new", *_CHANGE_VALUES)}),
    observed=True)
_SQLITE_REMINDERS = DriverStatement(insert(_REMINDER).values({name: param(name) for name in (
    "team_id", "activity_id", "kind", "due_at", "next_attempt_at", "attempts", "created_at")}), observed=True)


def _statement_per_table(connection: Connection, row: dict[str, Any], tags: list[str],
                         changes: list[dict[str, Any]], due: Due) -> int | None:
    found = _SQLITE_ACTIVITY.execute(connection, row).fetchone()
    if found is None:
        return None
    activity_id: int = found[0]
    if tags:
        _SQLITE_TAGS.execute_many(connection, [{"activity_id": activity_id, "tag": tag} for tag in tags])
    if changes:
        for change in changes:
            change["activity_id"] = activity_id
        _SQLITE_CHANGES.execute_many(connection, changes)
    if due:
        created = utcnow()
        _SQLITE_REMINDERS.execute_many(connection, [
            {"team_id": row["team_id"], "activity_id": activity_id, "kind": kind.value, "due_at": at,
             "next_attempt_at": at, "attempts": 0, "created_at": created} for kind, at in due])
    return activity_id


def _one_statement_sql() -> DriverStatement:
    """PostgreSQL: the four inserts in one statement. The tags, the history's fields and the reminders come as
    arrays (``unnest``), taken in their order (``WITH ORDINALITY``), so the rows' ids follow it as on SQLite."""
    activity = _insert_activity(typed=True).cte("new_activity")
    new_id = activity.c.id
    tags = func.unnest(param("tags", type_=ARRAY(String))).table_valued("tag", with_ordinality="n").render_derived()
    fields = func.unnest(
        param("fields", type_=ARRAY(String)), param("olds", type_=ARRAY(Text)), param("news", type_=ARRAY(Text))
    ).table_valued("field", "old", "new", with_ordinality="n").render_derived()
    due = func.unnest(
        param("reminder_kinds", type_=ARRAY(String)), param("reminder_times", type_=ARRAY(_REMINDER.c.due_at.type))
    ).table_valued("kind", "due_at", with_ordinality="n").render_derived()
    constant = {name: cast(param(f"change_{name}", type_=_CHANGE.c[name].type), _CHANGE.c[name].type)
                for name in _CHANGE_VALUES}
    inserts = (
        insert(_TAG).from_select(["activity_id", "tag"], select(new_id, tags.c.tag).order_by(tags.c.n)),
        insert(_CHANGE).from_select(
            ["activity_id", "field", "old", "new", *_CHANGE_VALUES],
            select(new_id, fields.c.field, fields.c.old, fields.c.new, *constant.values()).order_by(fields.c.n)),
        insert(_REMINDER).from_select(
            ["team_id", "activity_id", "kind", "due_at", "next_attempt_at", "attempts", "created_at"],
            select(cast(param("team_id", type_=Integer), Integer), new_id,
                   due.c.kind, due.c.due_at, due.c.due_at, literal(0),
                   cast(param("reminders_created_at", type_=_REMINDER.c.created_at.type),
                        _REMINDER.c.created_at.type)).order_by(due.c.n)),
    )
    return DriverStatement(select(new_id).add_cte(*(statement.cte(name) for statement, name in
                                                    zip(inserts, ("new_tags", "new_changes", "new_reminders"),
                                                        strict=True))), observed=True)


_POSTGRES = _one_statement_sql()


def _one_statement(connection: Connection, row: dict[str, Any], tags: list[str],
                   changes: list[dict[str, Any]], due: Due) -> int | None:
    params = {
        **row, "tags": tags,
        "fields": [c["field"] for c in changes], "olds": [c["old"] for c in changes],
        "news": [c["new"] for c in changes],
        **{f"change_{name}": changes[0][name] if changes else None for name in _CHANGE_VALUES},
        "reminder_kinds": [kind.value for kind, _at in due], "reminder_times": [at for _kind, at in due],
        "reminders_created_at": utcnow(),
    }
    found = _POSTGRES.execute(connection, params).fetchone()
    return None if found is None else int(found[0])


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
    unknown = values.keys() - _NONE.keys()
    if unknown:
        raise TypeError(f"not columns of activity: {sorted(unknown)}")
    row = {**_NONE, **_FIXED}
    for name, make in _MADE:
        if name not in values:
            row[name] = make(None)
    row.update(values)
    return row


# The columns' defaults, sorted once: none, a value, or one made per row (a timestamp). A dict keeps the order
# its keys were first given in, so a row's columns are in the table's order (as _NONE gives them).
_NONE: dict[str, Any] = dict.fromkeys(c.name for c in _COLUMNS)
_FIXED = {c.name: c.default.arg for c in _COLUMNS  # type: ignore[attr-defined]
          if c.default is not None and not c.default.is_callable}
_MADE = tuple((c.name, c.default.arg) for c in _COLUMNS  # type: ignore[attr-defined]
              if c.default is not None and c.default.is_callable)
