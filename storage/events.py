"""Dedupe of platform events: Slack retries, repeated event ids, Telegram update ids are handled once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, select

from storage.models import ProcessedEvent, utcnow

_TABLE = ProcessedEvent.metadata.tables["processed_event"]
# ``INSERT … ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL alike): a repeat inserts no row and raises nothing,
# so no savepoint is needed and the transaction goes on. Built once: this runs for every platform event.
_MARK = {
    name: dialect.insert(_TABLE)
    .values(platform=bindparam("platform"), event_id=bindparam("event_id"), created_at=bindparam("created_at"))
    .on_conflict_do_nothing(index_elements=["platform", "event_id"])
    for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
}
# psycopg reports no row count for it (-1): on PostgreSQL the new row says so by being returned.
_MARK["postgresql"] = _MARK["postgresql"].returning(_TABLE.c.event_id)


def mark_processed(session: Session | Connection, *, platform: str, event_id: str) -> bool:
    """Record the event; True the first time it is seen, False for a repeat (also across processes: a
    concurrent transaction that marks the same event waits for this one and then finds it marked).
    ``session``: an ORM session, or the connection of a unit of work in Core statements."""
    connection = session if isinstance(session, Connection) else session.connection()
    dialect = connection.dialect.name
    params = {"platform": platform, "event_id": event_id[:128], "created_at": utcnow()}
    result = connection.execute(_MARK[dialect], params)
    if dialect == "postgresql":
        return result.first() is not None
    return bool(result.rowcount)


def processed(session: Session, *, platform: str, event_id: str) -> bool:
    """Whether the event was recorded (handled) already, without recording it."""
    query = select(ProcessedEvent.event_id).where(ProcessedEvent.platform == platform,
                                                  ProcessedEvent.event_id == event_id[:128])
    return session.exec(query).first() is not None


def forget_processed_before(session: Session, *, cutoff: datetime) -> int:
    """Old entries only guard against retries, which come within minutes: prune them."""
    result = session.exec(delete(ProcessedEvent).where(col(ProcessedEvent.created_at) < cutoff))
    return int(result.rowcount or 0)
