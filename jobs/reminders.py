"""The reminder sweep: each due reminder goes to its owner through the owner's platform, once
(the claim-and-send sweep of :mod:`jobs.sweep`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from handlers.core import Messenger
from handlers.reminders import Outgoing, prepare
from jobs.sweep import Claim, Skip, SweepResult, messenger_for, sweep
from storage.db import Database
from storage.models import Reminder
from storage.outbox import DEFAULT_LEASE, OutboxFields


@dataclass(frozen=True)
class Reminders:
    messengers: Mapping[str, Messenger]
    model: type[OutboxFields] = Reminder
    name: str = "reminder"

    def prepare(self, session: Session, row_id: int, now: datetime) -> Outgoing | Skip:
        outgoing = prepare(session, reminder_id=row_id, now=now)
        return outgoing if outgoing is not None else Skip("no longer applies")

    async def send(self, job: Outgoing, claim: Claim) -> None:
        await messenger_for(self.messengers, job.platform).send_direct(job.target, job.reply)


async def sweep_reminders(
    db: Database,
    messengers: Mapping[str, Messenger],
    *,
    clock: Callable[[], datetime],
    worker: str,
    batch: int = 50,
    lease: timedelta = DEFAULT_LEASE,
) -> SweepResult:
    """Send every reminder due by the clock's time."""
    return await sweep(db, Reminders(messengers), clock=clock, worker=worker, batch=batch, lease=lease)
