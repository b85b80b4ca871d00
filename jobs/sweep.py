"""The one claim-and-send sweep that reminders and digests share (rows of :mod:`storage.outbox`).

A sweep claims due rows in batches, and for each row: renews its lease and builds what to send (one
transaction — a row taken over by another worker is left alone), sends it through a ``Messenger``, then marks
it sent, or pushes it back with backoff when the send failed. The clock is read at every step, so a lease
counts from when it was taken or renewed, however long the sweep has been running. Database work runs in
threads: the event loop never blocks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlmodel import Session

from handlers.core import Messenger
from storage import outbox
from storage.db import Database
from storage.outbox import DEFAULT_LEASE, OutboxFields

log = logging.getLogger(f"devrelbot.{__name__}")

MAX_BATCHES = 100  # one sweep catches up on at most this many batches; the next tick goes on

Job = TypeVar("Job")


@dataclass(frozen=True)
class Skip:
    """What :meth:`Outbox.prepare` returns for a claimed row that no longer applies: it is cancelled."""

    reason: str


class ClaimLost(Exception):
    """The worker's lease ran out and another worker took the row: stop, that worker sends it."""


@dataclass(frozen=True)
class Claim:
    """One claimed row while it is being sent: :meth:`keep` saves how far the send got and renews the lease."""

    db: Database
    model: type[OutboxFields]
    row_id: int
    worker: str
    clock: Callable[[], datetime]
    lease: timedelta

    async def keep(self, **values: Any) -> None:
        """Save ``values`` on the row and renew the lease; raises :class:`ClaimLost` when it is not ours."""
        if not await asyncio.to_thread(self._renew, values):
            raise ClaimLost(f"{self.model.__name__} {self.row_id} was taken over by another worker")

    def _renew(self, values: Mapping[str, Any]) -> bool:
        with self.db.session() as session:
            return outbox.renew(session, self.model, row_id=self.row_id, worker=self.worker, now=self.clock(),
                                lease=self.lease, values=values)


class Outbox(Protocol[Job]):
    """One kind of row the sweep sends: its table, how to build a row's message, and how to send it."""

    @property
    def model(self) -> type[OutboxFields]: ...

    @property
    def name(self) -> str: ...  # in the log: "reminder", "digest"

    def prepare(self, session: Session, row_id: int, now: datetime) -> Job | Skip: ...

    def send(self, job: Job, claim: Claim) -> Awaitable[None]: ...


@dataclass(frozen=True)
class SweepResult:
    sent: int = 0
    failed: int = 0
    skipped: int = 0  # claimed, but no longer needed: cancelled


@dataclass
class _Counts:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    lost: list[int] = field(default_factory=list)


async def sweep(db: Database, kind: Outbox[Job], *, clock: Callable[[], datetime], worker: str, batch: int,
                lease: timedelta = DEFAULT_LEASE) -> SweepResult:
    """Send every row of ``kind`` that is due, each by one worker once."""
    counts = _Counts()
    for _ in range(MAX_BATCHES):
        claimed = await asyncio.to_thread(_claim, db, kind.model, clock, worker, batch, lease)
        for row_id in claimed:
            claim = Claim(db, kind.model, row_id, worker, clock, lease)
            await _send_one(kind, claim, counts)
        if len(claimed) < batch:
            break
    if counts.lost:
        log.warning("%s rows %s were taken over by another worker before this one finished", kind.name, counts.lost)
    return SweepResult(sent=counts.sent, failed=counts.failed, skipped=counts.skipped)


async def _send_one(kind: Outbox[Job], claim: Claim, counts: _Counts) -> None:
    job = await asyncio.to_thread(_prepare, kind, claim)
    if job is None:
        counts.lost.append(claim.row_id)
        return
    if isinstance(job, Skip):
        counts.skipped += 1
        return
    try:
        await kind.send(job, claim)
    except ClaimLost:
        counts.lost.append(claim.row_id)
        return
    except Exception as error:  # a failed send is retried later with backoff; it never stops the sweep
        retry_at = await asyncio.to_thread(_failed, claim, f"{type(error).__name__}: {error}")
        counts.failed += 1
        if retry_at is None:
            log.error("%s %s not sent (%s); not retried", kind.name, claim.row_id, error)
        else:
            log.warning("%s %s not sent (%s); retrying at %s", kind.name, claim.row_id, error, retry_at)
        return
    if await asyncio.to_thread(_sent, claim):
        counts.sent += 1
    else:  # sent, but the lease ran out meanwhile and another worker took the row: it may go out twice
        counts.lost.append(claim.row_id)


def _claim(db: Database, model: type[OutboxFields], clock: Callable[[], datetime], worker: str, batch: int,
           lease: timedelta) -> list[int]:
    with db.session() as session:
        return outbox.claim(session, model, now=clock(), worker=worker, limit=batch, lease=lease)


def _prepare(kind: Outbox[Job], claim: Claim) -> Job | Skip | None:
    """Renew the lease and build the message in one transaction; None when the row is no longer ours."""
    with claim.db.session() as session:
        now = claim.clock()
        if not outbox.renew(session, claim.model, row_id=claim.row_id, worker=claim.worker, now=now,
                            lease=claim.lease):
            return None
        job = kind.prepare(session, claim.row_id, now)
        if isinstance(job, Skip):
            outbox.mark_cancelled(session, claim.model, row_id=claim.row_id, worker=claim.worker, now=now,
                                  reason=job.reason)
        return job


def _sent(claim: Claim) -> bool:
    with claim.db.session() as session:
        return outbox.mark_sent(session, claim.model, row_id=claim.row_id, worker=claim.worker, now=claim.clock())


def _failed(claim: Claim, error: str) -> datetime | None:
    with claim.db.session() as session:
        return outbox.mark_failed(session, claim.model, row_id=claim.row_id, worker=claim.worker,
                                  now=claim.clock(), error=error)


def messenger_for(messengers: Mapping[str, Messenger], platform: str) -> Messenger:
    """The running door's messenger for ``platform``; a missing door is a failed send (retried later)."""
    messenger = messengers.get(platform)
    if messenger is None:
        raise LookupError(f"the {platform} door is not running")
    return messenger
