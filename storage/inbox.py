"""The durable inbox: deliveries stored before they are acknowledged, handled later, pruned after a while.

A platform is told "received" only after :func:`store` committed; a worker takes :func:`pending` rows and
:func:`mark_done` marks each once it was handled. A process killed in between leaves its rows pending, and the
next start handles them. Handling is deduplicated where it commits (``storage.events``), so a row handled just
before a crash, but not yet marked, changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, func, select

from storage.models import InboxItem, utcnow

_TABLE = InboxItem.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Delivery:
    delivery_id: str
    chat_key: str
    payload: str


@dataclass(frozen=True)
class Stored:
    item_id: int
    delivery_id: str
    chat_key: str
    payload: str


def store(session: Session, *, platform: str, deliveries: Sequence[Delivery]) -> list[Stored]:
    """Insert what is new; a delivery already stored (a redelivery) is skipped. Returns the new rows."""
    if not deliveries:
        return []
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    now = utcnow()
    statement = (
        dialect.insert(_TABLE)
        .values([{"platform": platform, "delivery_id": d.delivery_id[:128], "chat_key": d.chat_key[:64],
                  "payload": d.payload, "received_at": now} for d in deliveries])
        .on_conflict_do_nothing(index_elements=["platform", "delivery_id"])
        .returning(_TABLE.c.id, _TABLE.c.delivery_id, _TABLE.c.chat_key, _TABLE.c.payload)
    )
    rows = session.execute(statement).all()
    return sorted((Stored(*row) for row in rows), key=lambda s: s.item_id)


def pending(session: Session, *, platform: str, after_id: int = 0, limit: int = 500,
            received_before: datetime | None = None) -> list[Stored]:
    """Rows not handled yet, oldest first (what a killed process left behind); ``received_before``: only those
    waiting since before then."""
    query = (
        select(InboxItem.id, InboxItem.delivery_id, InboxItem.chat_key, InboxItem.payload)
        .where(InboxItem.platform == platform, col(InboxItem.done_at).is_(None), col(InboxItem.id) > after_id)
    )
    if received_before is not None:
        query = query.where(col(InboxItem.received_at) < received_before)
    rows = session.exec(query.order_by(col(InboxItem.id)).limit(limit)).all()
    return [Stored(*row) for row in rows]


# Core, built once: every update handled runs it.
_MARK_DONE = (
    update(_TABLE).where(_TABLE.c.id.in_(bindparam("ids", expanding=True))).values(done_at=bindparam("now"))
)


def mark_done(session: Session, *, item_ids: Sequence[int], now: datetime | None = None) -> None:
    if item_ids:
        session.execute(_MARK_DONE, {"ids": list(item_ids), "now": now or utcnow()})


def prune_done_before(session: Session, *, cutoff: datetime) -> int:
    """Handled rows only guard against redeliveries, which come within hours: drop them after a while.
    Rows not handled yet are never pruned."""
    result = session.exec(delete(InboxItem).where(col(InboxItem.done_at).is_not(None),
                                                  col(InboxItem.received_at) < cutoff))
    return int(result.rowcount or 0)


def backlog(session: Session) -> dict[str, tuple[int, datetime | None]]:
    """Per platform: how many rows are not handled yet, and when the oldest of them was received."""
    rows = session.exec(
        select(InboxItem.platform, func.count(), func.min(InboxItem.received_at))
        .where(col(InboxItem.done_at).is_(None))
        .group_by(InboxItem.platform)
    ).all()
    return {platform: (int(count), _aware(oldest)) for platform, count, oldest in rows}


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time is stored in UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment
