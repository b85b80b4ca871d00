"""Rows that say "send this once": reminders and digest deliveries share this life cycle.

created (``next_attempt_at`` = when due) → claimed by one worker for a lease → ``sent_at`` after a good send,
or pushed back with backoff after a failed one, or ``cancelled_at`` when it no longer applies or after too
many failures. A claim whose worker died expires with its lease and the row is claimed again: nothing is
lost, and a row is sent by one worker at a time. ``FOR UPDATE SKIP LOCKED`` on PostgreSQL lets concurrent
sweeps pass each other by; SQLite serialises the one UPDATE that claims.

Every step after the claim names its worker and changes the row only while that worker still holds it
(``claimed_by``: claiming is the only way to take a row from another worker), so a worker whose lease ran out
and whose row was taken over can no longer mark, renew or save anything on it. Each step's ``now`` is the
clock read when that step runs, not when the sweep began: a lease is counted from the moment it is taken or
renewed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Field, Session, SQLModel, and_, col, or_, select, update

MAX_ATTEMPTS = 8
DEFAULT_LEASE = timedelta(minutes=5)


class OutboxFields(SQLModel):
    """The columns every outbox table has (a base for table models, not a table itself)."""

    id: int | None = Field(default=None, primary_key=True)
    next_attempt_at: datetime  # when it is due, then pushed back after a failed send
    attempts: int = 0
    claimed_by: str | None = Field(default=None, max_length=64)
    claim_expires_at: datetime | None = None
    sent_at: datetime | None = None
    cancelled_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=500)


def claim(session: Session, model: type[OutboxFields], *, now: datetime, worker: str, limit: int = 50,
          lease: timedelta = DEFAULT_LEASE) -> list[int]:
    """Atomically take up to ``limit`` due rows of ``model`` for ``worker``; another worker gets other rows."""
    claimable = or_(col(model.claim_expires_at).is_(None), col(model.claim_expires_at) < now)
    due = (
        select(col(model.id))
        .where(col(model.sent_at).is_(None), col(model.cancelled_at).is_(None), col(model.next_attempt_at) <= now,
               claimable)
        .order_by(col(model.next_attempt_at), col(model.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    # One statement: SQLite takes its write lock at once (no read-then-upgrade deadlock), and the claim
    # conditions are checked again on every row it updates, so a row is never taken by two workers.
    claimed = session.exec(
        update(model)
        .where(col(model.id).in_(due.scalar_subquery()), col(model.sent_at).is_(None), claimable)
        .values(claimed_by=worker, claim_expires_at=now + lease)
        .returning(col(model.id))
    ).all()
    return sorted(row[0] for row in claimed)


def _held(model: type[OutboxFields], row_id: int, worker: str) -> ColumnElement[bool]:
    """The row is this worker's, not sent and not cancelled: the condition of every step after the claim."""
    return and_(col(model.id) == row_id, col(model.claimed_by) == worker, col(model.sent_at).is_(None),
                col(model.cancelled_at).is_(None))


def renew(session: Session, model: type[OutboxFields], *, row_id: int, worker: str, now: datetime,
          lease: timedelta = DEFAULT_LEASE, values: Mapping[str, Any] | None = None) -> bool:
    """Extend the worker's lease from ``now`` (saving ``values`` with it, e.g. how far a send got). False when
    the worker no longer holds the row: it must not send it then."""
    result = session.exec(
        update(model).where(_held(model, row_id, worker)).values(claim_expires_at=now + lease, **(values or {}))
    )
    return bool(result.rowcount)


def mark_sent(session: Session, model: type[OutboxFields], *, row_id: int, worker: str, now: datetime) -> bool:
    """True when this worker still held the claim (a worker whose row was taken over must not mark it)."""
    result = session.exec(
        update(model).where(_held(model, row_id, worker)).values(sent_at=now, claim_expires_at=None, last_error=None)
    )
    return bool(result.rowcount)


def mark_cancelled(session: Session, model: type[OutboxFields], *, row_id: int, worker: str, now: datetime,
                   reason: str) -> bool:
    """The claimed row no longer applies; True when this worker still held it."""
    result = session.exec(
        update(model).where(_held(model, row_id, worker))
        .values(cancelled_at=now, claim_expires_at=None, last_error=reason[:500])
    )
    return bool(result.rowcount)


def mark_failed(session: Session, model: type[OutboxFields], *, row_id: int, worker: str, now: datetime,
                error: str) -> datetime | None:
    """Release the claim and push the row back with exponential backoff; give up (cancel) after MAX_ATTEMPTS.
    Returns the next attempt time, or None when it gave up or the worker no longer held the row."""
    # The first UPDATE releases the claim only if still held, and locks the row until the commit, so the
    # second one (the attempt count decides which) cannot race another worker's claim.
    attempts = session.exec(
        update(model).where(_held(model, row_id, worker))
        .values(attempts=col(model.attempts) + 1, last_error=error[:500], claimed_by=None, claim_expires_at=None)
        .returning(col(model.attempts))
    ).scalar_one_or_none()
    if attempts is None:
        return None
    if attempts >= MAX_ATTEMPTS:
        session.exec(update(model).where(col(model.id) == row_id).values(cancelled_at=now))
        return None
    retry_at = now + backoff(attempts)
    session.exec(update(model).where(col(model.id) == row_id).values(next_attempt_at=retry_at))
    return retry_at


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, … minutes, at most six hours."""
    return min(timedelta(minutes=2 ** (attempts - 1)), timedelta(hours=6))
