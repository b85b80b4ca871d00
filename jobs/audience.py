"""Counting the audience base once a day (the claim-and-send sweep of :mod:`jobs.sweep`): today's row of each
counted chat is opened, then claimed by one worker, which asks the platform for the chat's member count and keeps
it on the row — so each chat is counted once a day, after a restart and with several bot processes. A platform that
cannot count (the console) leaves the row cancelled; one that fails is asked again later with backoff."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from handlers.core import ChatRef, CountsMembers, Messenger, as_platform
from jobs.sweep import Claim, Skip, SweepResult, messenger_for, sweep
from storage.community.audience import open_due_counts
from storage.db import Database
from storage.models import AudienceCount
from storage.outbox import DEFAULT_LEASE, OutboxFields


@dataclass(frozen=True)
class Counting:
    chat: ChatRef


@dataclass(frozen=True)
class AudienceCounts:
    messengers: Mapping[str, Messenger]
    model: type[OutboxFields] = AudienceCount
    name: str = "audience count"

    def prepare(self, session: Session, row_id: int, now: datetime) -> Counting | Skip:
        row = session.get(AudienceCount, row_id)
        if row is None:
            return Skip("chat removed")
        if not isinstance(self.messengers.get(row.platform), CountsMembers | None):
            return Skip(f"{row.platform} cannot count members")
        return Counting(ChatRef(platform=as_platform(row.platform), chat_id=row.chat_id))

    async def send(self, job: Counting, claim: Claim) -> None:
        messenger = messenger_for(self.messengers, job.chat.platform)
        assert isinstance(messenger, CountsMembers)  # prepare skipped the others
        await claim.keep(count=await messenger.member_count(job.chat))


async def sweep_audience(
    db: Database, messengers: Mapping[str, Messenger], *, clock: Callable[[], datetime], worker: str,
    batch: int = 50, lease: timedelta = DEFAULT_LEASE,
) -> SweepResult:
    """Open today's counts, then take every due one."""
    await asyncio.to_thread(_open, db, clock)
    return await sweep(db, AudienceCounts(messengers), clock=clock, worker=worker, batch=batch, lease=lease)


def _open(db: Database, clock: Callable[[], datetime]) -> int:
    with db.session() as session:
        return open_due_counts(session, now=clock())
