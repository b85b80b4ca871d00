"""The weekly digest sweep: open due weeks, then deliver each channel's digest in parts — the summary,
the details in a thread under it, the chart — remembering how far it got, so a retry never re-posts a part
a channel already has (the claim-and-send sweep of :mod:`jobs.sweep`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session

from handlers.core import ChatRef, Messenger, as_platform
from handlers.digest_content import Report, as_replies, build_report
from handlers.i18n import use_locale
from jobs.sweep import Claim, Skip, SweepResult, messenger_for, sweep
from storage.db import Database
from storage.digests import DeliveryJob, delivery_job, open_due_weeks
from storage.models import DigestDelivery, Team
from storage.outbox import DEFAULT_LEASE, OutboxFields
from storage.periods import period_containing


@dataclass(frozen=True)
class DigestSweep(SweepResult):
    opened: int = 0  # deliveries created for the weeks that came due


@dataclass(frozen=True)
class Delivery:
    job: DeliveryJob
    report: Report


@dataclass(frozen=True)
class Digests:
    messengers: Mapping[str, Messenger]
    pace: bool
    model: type[OutboxFields] = DigestDelivery
    name: str = "digest"
    # One report per team and week in a sweep, whatever the number of its channels.
    reports: dict[tuple[int, date], Report] = field(default_factory=dict)

    def prepare(self, session: Session, row_id: int, now: datetime) -> Delivery | Skip:
        job = delivery_job(session, delivery_id=row_id)
        team = session.get(Team, job.team_id) if job else None
        if job is None or team is None:
            return Skip("channel removed")
        key = (job.team_id, job.week_start)
        if key not in self.reports:
            with use_locale(team.locale):
                period = period_containing("week", job.week_start)
                self.reports[key] = build_report(session, team=team, period=period, now=now)
        return Delivery(job, self.reports[key])

    async def send(self, delivery: Delivery, claim: Claim) -> None:
        """``pace`` keeps to each platform's per-chat message rate, as its messenger declares it
        (``min_interval_per_chat``): a thousand teams' digests all arrive, none is refused."""
        job = delivery.job
        messenger = messenger_for(self.messengers, job.platform)
        chat = ChatRef(platform=as_platform(job.platform), chat_id=job.chat_id, thread_id=job.thread_id)
        thread_ref = job.thread_ref
        for index, part in enumerate(as_replies(delivery.report)):
            if index < job.progress:
                continue  # the channel already has this part (an earlier attempt failed after it)
            if index and self.pace:
                await asyncio.sleep(getattr(messenger, "min_interval_per_chat", 0.0))
            if thread_ref is None:
                sent = await messenger.send(chat, part)
            else:
                sent = await messenger.send_in_thread(chat, thread_ref, part)
            thread_ref = thread_ref or sent.message_id
            await claim.keep(progress=index + 1, thread_ref=thread_ref)


async def sweep_digests(
    db: Database, messengers: Mapping[str, Messenger], *, clock: Callable[[], datetime], worker: str,
    batch: int = 20, pace: bool = True, lease: timedelta = DEFAULT_LEASE,
) -> DigestSweep:
    """Open the weeks that came due, then deliver every due digest."""
    opened = await asyncio.to_thread(_open, db, clock)
    result = await sweep(db, Digests(messengers, pace), clock=clock, worker=worker, batch=batch, lease=lease)
    return DigestSweep(sent=result.sent, failed=result.failed, skipped=result.skipped, opened=opened)


def _open(db: Database, clock: Callable[[], datetime]) -> int:
    with db.session() as session:
        return open_due_weeks(session, now=clock())
