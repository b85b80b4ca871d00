"""The history of every change: activities created, updated, moved, done, dropped, deleted and restored, and the
team's settings — who, when, which field, old → new, through which door.

Rows are written by one SQLAlchemy ``after_flush`` listener, so they are in the transaction of the change itself
and no code path that changes an activity or a setting through the ORM can forget them. Who is acting is what
:func:`act_as` put on the session (the router does it for every command); work nobody asked for is "system".
A change made with Core statements bypasses the listener and writes its rows itself, in its own transaction: the
rows of :func:`change_rows`, with :func:`write_rows` or in its own statements (/log's hot path:
:mod:`storage.activity_insert`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, event, insert, inspect
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import UOWTransaction
from sqlmodel import Session, col, select

from storage.domain import Status
from storage.models import Activity, Change, Team, utcnow

# Bookkeeping columns, not what anyone changed.
_ACTIVITY_UNTRACKED = frozenset({"id", "team_id", "title_key", "done_on", "created_at", "created_by", "updated_at",
                                 "updated_by"})
_TEAM_UNTRACKED = frozenset({"id", "name", "next_digest_at", "created_at", "generation"})
# The columns a "create" row lists, in the order the ORM maps them.
_ACTIVITY_TRACKED = tuple(attr.key for attr in inspect(Activity).column_attrs if attr.key not in _ACTIVITY_UNTRACKED)
_ACTOR_KEY = "devrelbot.actor"
MAX_VALUE = 500  # an old or new value longer than this (notes) is kept cut, with "…"


@dataclass(frozen=True)
class Actor:
    """Who is changing things in a session: a member (None for the shell or a job), by name, through a door."""

    member_id: int | None
    name: str
    door: str
    at: datetime | None = None  # the command's time (its clock); None: the moment each row is written


SYSTEM = Actor(member_id=None, name="system", door="system")


def act_as(session: OrmSession, actor: Actor) -> None:
    """What this session changes from now on is recorded as done by ``actor``."""
    session.info[_ACTOR_KEY] = actor


def actor_of(session: OrmSession) -> Actor:
    actor = session.info.get(_ACTOR_KEY)
    return actor if isinstance(actor, Actor) else SYSTEM


def shown(value: Any) -> str | None:
    """A value as the history keeps it: text, dates ISO, booleans as on/off."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    text = str(value)
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE] + "…"


_INSERT = insert(Change)


def change_rows(*, actor: Actor, team_id: int, activity_id: int | None, action: str,
                fields: Iterable[tuple[str | None, Any, Any]], at: datetime | None = None) -> list[dict[str, Any]]:
    """One row per (field, old, new), by ``actor``, at ``at`` (else the actor's time, else now)."""
    when = at or actor.at or utcnow()
    return [
        {"team_id": team_id, "activity_id": activity_id, "action": action, "field": name, "old": shown(old),
         "new": shown(new), "member_id": actor.member_id, "actor": actor.name[:200], "door": actor.door, "at": when}
        for name, old, new in fields
    ]


def write_rows(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Rows from :func:`change_rows`, in the connection's transaction (for work done with Core statements,
    which this module's ORM listener never sees)."""
    if rows:
        connection.execute(_INSERT, rows)


def record(session: OrmSession, *, team_id: int, activity_id: int | None, action: str,
           fields: Iterable[tuple[str | None, Any, Any]], at: datetime | None = None) -> None:
    """Write one row per (field, old, new) — in the session's transaction, by its actor."""
    write_rows(session.connection(), change_rows(actor=actor_of(session), team_id=team_id, activity_id=activity_id,
                                                 action=action, fields=fields, at=at))


def created_fields(values: Mapping[str, Any], *, tags: Iterable[str] = ()) -> list[tuple[str | None, Any, Any]]:
    """A new activity's "create" rows: each tracked column that has a value (in the table's order), then its
    tags when it has any."""
    fields: list[tuple[str | None, Any, Any]] = [
        (name, None, values[name]) for name in _ACTIVITY_TRACKED if values.get(name) is not None]
    fields.extend(tag_fields(old=(), new=tags))
    return fields


def tag_fields(*, old: Iterable[str], new: Iterable[str]) -> list[tuple[str | None, Any, Any]]:
    """The "tags" field's change, #-joined and sorted; none when the set did not change."""
    before, after = sorted(set(old)), sorted(set(new))
    if before == after:
        return []
    return [("tags", " ".join(f"#{t}" for t in before) or None, " ".join(f"#{t}" for t in after) or None)]


def _changed(obj: Any, untracked: frozenset[str]) -> list[tuple[str, Any, Any]]:
    state = inspect(obj)
    found = []
    for attr in state.mapper.column_attrs:
        if attr.key in untracked:
            continue
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old != new:
            found.append((attr.key, old, new))
    return found


def _action(activity: Activity, changes: Sequence[tuple[str, Any, Any]]) -> str:
    """done / drop when the status says so; move when a planned item only got a new date; else update."""
    status = next((new for name, _old, new in changes if name == "status"), None)
    if status == Status.DONE.value:
        return "done"
    if status == Status.CANCELLED.value:
        return "drop"
    if activity.status == Status.PLANNED.value and {name for name, _o, _n in changes} <= {"date", "due_date"}:
        return "move"
    return "update"


def _initial(activity: Activity) -> list[tuple[str | None, Any, Any]]:
    return created_fields({name: getattr(activity, name) for name in _ACTIVITY_TRACKED})


@event.listens_for(OrmSession, "after_flush")
def _record_flushed(session: OrmSession, _flush: UOWTransaction) -> None:
    for obj in session.new:
        if isinstance(obj, Activity) and obj.id is not None:
            record(session, team_id=obj.team_id, activity_id=obj.id, action="create", fields=_initial(obj))
    for obj in session.dirty:
        if isinstance(obj, Activity):
            changes = _changed(obj, _ACTIVITY_UNTRACKED)
            if changes:
                record(session, team_id=obj.team_id, activity_id=obj.id, action=_action(obj, changes),
                       fields=changes)
        elif isinstance(obj, Team) and obj.id is not None:
            record(session, team_id=obj.id, activity_id=None, action="settings",
                   fields=_changed(obj, _TEAM_UNTRACKED))
    for obj in session.deleted:
        if isinstance(obj, Activity):
            record(session, team_id=obj.team_id, activity_id=obj.id, action="delete",
                   fields=[("title", obj.title, None)])


def record_tags(session: Session, *, activity: Activity, old: Iterable[str], new: Iterable[str], action: str) -> None:
    """Tags live in their own table, written without the ORM: their change is recorded here."""
    if activity.id is not None:
        record(session, team_id=activity.team_id, activity_id=activity.id, action=action,
               fields=tag_fields(old=old, new=new))


# --- reading it back -------------------------------------------------------------------------------------


def of_activity(session: Session, *, team_id: int, activity_id: int, limit: int = 50) -> list[Change]:
    """An activity's changes, newest first."""
    return list(session.exec(
        select(Change).where(Change.team_id == team_id, Change.activity_id == activity_id)
        .order_by(col(Change.id).desc()).limit(limit)).all())


def of_member(session: Session, *, team_id: int, member_id: int, limit: int = 50) -> list[Change]:
    """What one person changed, newest first."""
    return list(session.exec(
        select(Change).where(Change.team_id == team_id, Change.member_id == member_id)
        .order_by(col(Change.id).desc()).limit(limit)).all())


def of_settings(session: Session, *, team_id: int, limit: int = 50) -> list[Change]:
    return list(session.exec(
        select(Change).where(Change.team_id == team_id, col(Change.activity_id).is_(None))
        .order_by(col(Change.id).desc()).limit(limit)).all())


def of_team(session: Session, *, team_id: int) -> list[Change]:
    """Everything, oldest first (the CSV export)."""
    return list(session.exec(select(Change).where(Change.team_id == team_id).order_by(col(Change.id))).all())
