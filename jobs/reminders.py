"""The reminder sweep: claim due rows, build each message, send it through the owner's platform."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.core import Messenger
from handlers.reminders import Outgoing, prepare
from storage.db import Database
from storage.reminders import DEFAULT_LEASE, claim_due, mark_failed, mark_sent

log = logging.getLogger(f"devrelbot.{__name__}")

MAX_BATCHES = 100  # one sweep catches up on at most this many batches; the next tick goes on


@dataclass(frozen=True)
class SweepResult:
    sent: int = 0
    failed: int = 0
    skipped: int = 0


async def sweep_reminders(
    db: Database,
    messengers: Mapping[str, Messenger],
    *,
    now: datetime,
    worker: str,
    batch: int = 50,
    lease: timedelta = DEFAULT_LEASE,
) -> SweepResult:
    """Send every reminder due by ``now``. Database work runs in threads: the event loop never blocks."""
    sent = failed = skipped = 0
    for _ in range(MAX_BATCHES):
        claimed = await asyncio.to_thread(_claim, db, now, worker, batch, lease)
        for reminder_id in claimed:
            outgoing = await asyncio.to_thread(_prepare, db, reminder_id, now)
            if outgoing is None:
                skipped += 1
            elif await _deliver(db, messengers, outgoing, now=now, worker=worker):
                sent += 1
            else:
                failed += 1
        if len(claimed) < batch:
            break
    return SweepResult(sent=sent, failed=failed, skipped=skipped)


async def _deliver(db: Database, messengers: Mapping[str, Messenger], outgoing: Outgoing, *, now: datetime,
                   worker: str) -> bool:
    messenger = messengers.get(outgoing.platform)
    try:
        if messenger is None:
            raise LookupError(f"the {outgoing.platform} door is not running")
        await messenger.send_direct(outgoing.target, outgoing.reply)
    except Exception as error:  # a failed send is retried later with backoff; it never stops the sweep
        retry_at = await asyncio.to_thread(_failed, db, outgoing.reminder_id, worker, now, f"{type(error).__name__}: "
                                           f"{error}")
        if retry_at is None:
            log.error("reminder %s failed for good: %s", outgoing.reminder_id, error)
        else:
            log.warning("reminder %s not sent (%s); retrying at %s", outgoing.reminder_id, error, retry_at)
        return False
    await asyncio.to_thread(_sent, db, outgoing.reminder_id, worker, now)
    return True


def _claim(db: Database, now: datetime, worker: str, batch: int, lease: timedelta) -> list[int]:
    with db.session() as session:
        return claim_due(session, now=now, worker=worker, limit=batch, lease=lease)


def _prepare(db: Database, reminder_id: int, now: datetime) -> Outgoing | None:
    with db.session() as session:
        return prepare(session, reminder_id=reminder_id, now=now)


def _sent(db: Database, reminder_id: int, worker: str, now: datetime) -> None:
    with db.session() as session:
        mark_sent(session, reminder_id=reminder_id, worker=worker, now=now)


def _failed(db: Database, reminder_id: int, worker: str, now: datetime, error: str) -> datetime | None:
    with db.session() as session:
        return mark_failed(session, reminder_id=reminder_id, worker=worker, now=now, error=error)
