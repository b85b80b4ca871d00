"""Dedupe of platform events: Slack retries, repeated event ids, Telegram update ids are handled once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, select

from storage.driver import DriverStatement
from storage.models import ProcessedEvent, utcnow

_TABLE = ProcessedEvent.metadata.tables["processed_event"]
# ``INSERT … ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL alike): a repeat inserts no row and raises nothing,
# so no savepoint is needed and the transaction goes on. Built once and run on the driver's cursor
# (storage.driver): this runs for every platform event. psycopg reports no row count for it (-1): on PostgreSQL
# the new row says so by being returned.
_MARK = {
    name: DriverStatement(
        statement.values(platform=bindparam("platform"), event_id=bindparam("event_id"),
                         created_at=bindparam("created_at"))
        .on_conflict_do_nothing(index_elements=["platform", "event_id"])
        .returning(*returning)
    )
    for name, statement, returning in (("sqlite", sqlite.insert(_TABLE), ()),
                                       ("postgresql", postgresql.insert(_TABLE), (_TABLE.c.event_id,)))
}


def mark_processed(session: Session | Connection, *, platform: str, event_id: str) -> bool:
    """Record the event; True the first time it is seen, False for a repeat (also across processes: a
    concurrent transaction that marks the same event waits for this one and then finds it marked).
    ``session``: an ORM session, or the connection of a unit of work in Core statements."""
    dialect = (session if isinstance(session, Connection) else session.get_bind()).dialect.name
    params = {"platform": platform, "event_id": event_id[:128], "created_at": utcnow()}
    cursor = _MARK[dialect].execute(session, params)
    if dialect == "postgresql":
        return cursor.fetchone() is not None
    return bool(cursor.rowcount)


def processed(session: Session, *, platform: str, event_id: str) -> bool:
    """Whether the event was recorded (handled) already, without recording it."""
    query = select(ProcessedEvent.event_id).where(ProcessedEvent.platform == platform,
                                                  ProcessedEvent.event_id == event_id[:128])
    return session.exec(query).first() is not None


def forget_processed_before(session: Session, *, cutoff: datetime) -> int:
    """Old entries only guard against retries, which come within minutes: prune them."""
    result = session.exec(delete(ProcessedEvent).where(col(ProcessedEvent.created_at) < cutoff))
    return int(result.rowcount or 0)
