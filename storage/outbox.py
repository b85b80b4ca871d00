"""Rows that say "send this once": reminders and digest deliveries share this life cycle.

created (``next_attempt_at`` = when due) → claimed by one worker for a lease → ``sent_at`` after a good send,
or pushed back with backoff after a failed one, or ``cancelled_at`` when it no longer applies or after too
many failures. A claim whose worker died expires with its lease and the row is claimed again: nothing is
lost, and a row is sent by one worker at a time. ``FOR UPDATE SKIP LOCKED`` on PostgreSQL lets concurrent
sweeps pass each other by; SQLite serialises the one UPDATE that claims.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Field, Session, SQLModel, col, or_, select, update

MAX_ATTEMPTS = 8
DEFAULT_LEASE = timedelta(minutes=5)


class OutboxFields(SQLModel):
    """The columns every outbox table has (a base for table models, not a table itself)."""

    next_attempt_at: datetime  # when it is due, then pushed back after a failed send
    attempts: int = 0
    claimed_by: str | None = Field(default=None, max_length=64)
    claim_expires_at: datetime | None = None
    sent_at: datetime | None = None
    cancelled_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=500)


def claim(session: Session, model: Any, *, now: datetime, worker: str, limit: int = 50,
          lease: timedelta = DEFAULT_LEASE) -> list[int]:
    """Atomically take up to ``limit`` due rows of ``model`` for ``worker``; another worker gets other rows."""
    claimable = or_(col(model.claim_expires_at).is_(None), col(model.claim_expires_at) < now)
    due = (
        select(model.id)
        .where(col(model.sent_at).is_(None), col(model.cancelled_at).is_(None), model.next_attempt_at <= now,
               claimable)
        .order_by(model.next_attempt_at, model.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    # One statement: SQLite takes its write lock at once (no read-then-upgrade deadlock), and the claim
    # conditions are checked again on every row it updates, so a row is never taken by two workers.
    claimed = session.exec(  # type: ignore[call-overload]
        update(model)
        .where(col(model.id).in_(due.scalar_subquery()), col(model.sent_at).is_(None), claimable)
        .values(claimed_by=worker, claim_expires_at=now + lease)
        .returning(model.id)
    ).all()
    return sorted(row[0] for row in claimed)


def mark_sent(session: Session, model: Any, *, row_id: int, worker: str, now: datetime) -> bool:
    """True when this worker still held the claim (a worker whose lease ran out must not mark it)."""
    result = session.exec(  # type: ignore[call-overload]
        update(model)
        .where(model.id == row_id, model.claimed_by == worker, col(model.sent_at).is_(None))
        .values(sent_at=now, claim_expires_at=None, last_error=None)
    )
    return bool(result.rowcount)


def mark_cancelled(session: Session, model: Any, *, row_id: int, now: datetime, reason: str | None = None) -> None:
    session.exec(  # type: ignore[call-overload]
        update(model)
        .where(model.id == row_id, col(model.sent_at).is_(None))
        .values(cancelled_at=now, claim_expires_at=None, last_error=reason)
    )


def mark_failed(session: Session, model: Any, *, row_id: int, worker: str, now: datetime,
                error: str) -> datetime | None:
    """Push the row back with exponential backoff; give up (cancel) after MAX_ATTEMPTS.
    Returns the next attempt time, or None when it gave up."""
    row = session.get(model, row_id)
    if row is None or row.claimed_by != worker or row.sent_at is not None:
        return None
    row.attempts += 1
    row.last_error = error[:500]
    row.claim_expires_at = None
    row.claimed_by = None
    retry_at: datetime | None = None
    if row.attempts >= MAX_ATTEMPTS:
        row.cancelled_at = now
    else:
        retry_at = now + backoff(row.attempts)
        row.next_attempt_at = retry_at
    session.add(row)
    session.flush()
    return retry_at


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, … minutes, at most six hours."""
    return min(timedelta(minutes=2 ** (attempts - 1)), timedelta(hours=6))
