"""The weekly digest sweep: open due weeks, then deliver each channel's digest in parts — the summary,
the details in a thread under it, the chart — remembering how far it got, so a retry never re-posts a part
a channel already has."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from handlers.core import ChatRef, Messenger, Reply, SentMessage
from handlers.digest import Report, as_replies, build_report
from handlers.i18n import use_locale
from storage import outbox
from storage.db import Database
from storage.digests import (
    DeliveryJob,
    claim_deliveries,
    delivery_job,
    open_due_weeks,
    save_progress,
)
from storage.models import DigestDelivery, Team
from storage.periods import period_containing

log = logging.getLogger(f"devrelbot.{__name__}")
MAX_BATCHES = 100


@dataclass(frozen=True)
class DigestSweep:
    opened: int = 0
    delivered: int = 0
    failed: int = 0


async def sweep_digests(
    db: Database, messengers: Mapping[str, Messenger], *, now: datetime, worker: str, batch: int = 20,
    pace: bool = True,
) -> DigestSweep:
    """Deliver every due digest. ``pace`` keeps to each platform's per-chat message rate, as its messenger
    declares it (``min_interval_per_chat``): a thousand teams' digests all arrive, none is refused."""
    opened = await asyncio.to_thread(_open, db, now)
    reports: dict[tuple[int, date], Report] = {}
    delivered = failed = 0
    for _batch in range(MAX_BATCHES):
        claimed = await asyncio.to_thread(_claim, db, now, worker, batch)
        for delivery_id in claimed:
            job = await asyncio.to_thread(_job, db, delivery_id)
            if job is None:
                await asyncio.to_thread(_cancel, db, delivery_id, now)
                continue
            key = (job.team_id, job.week_start)
            if key not in reports:  # one report per team and week, whatever the number of channels
                reports[key] = await asyncio.to_thread(_report, db, job, now)
            if await _deliver(db, messengers, job, reports[key], now=now, worker=worker, pace=pace):
                delivered += 1
            else:
                failed += 1
        if len(claimed) < batch:
            break
    return DigestSweep(opened=opened, delivered=delivered, failed=failed)


async def _deliver(db: Database, messengers: Mapping[str, Messenger], job: DeliveryJob, report: Report, *,
                   now: datetime, worker: str, pace: bool) -> bool:
    chat = ChatRef(platform=job.platform, chat_id=job.chat_id, thread_id=job.thread_id)  # type: ignore[arg-type]
    messenger = messengers.get(job.platform)
    progress, thread_ref = job.progress, job.thread_ref
    try:
        if messenger is None:
            raise LookupError(f"the {job.platform} door is not running")
        for index, part in enumerate(as_replies(report)):
            if index < progress:
                continue  # the channel already has this part (an earlier attempt failed after it)
            if index and pace:
                await asyncio.sleep(getattr(messenger, "min_interval_per_chat", 0.0))
            sent = await _send_part(messenger, chat, part, thread_ref)
            progress, thread_ref = index + 1, thread_ref or sent.message_id
            await asyncio.to_thread(_progress, db, job.delivery_id, progress, thread_ref)
    except Exception as error:  # this channel is retried later, alone; the others are not touched
        retry_at = await asyncio.to_thread(_failed, db, job.delivery_id, worker, now, f"{type(error).__name__}: "
                                           f"{error}")
        log.warning("digest for %s:%s failed after %d parts (%s); retry at %s", job.platform, job.chat_id, progress,
                    error, retry_at)
        return False
    await asyncio.to_thread(_sent, db, job.delivery_id, worker, now)
    return True


async def _send_part(messenger: Messenger, chat: ChatRef, part: Reply, thread_ref: str | None) -> SentMessage:
    if thread_ref is None:
        return await messenger.send(chat, part)
    return await messenger.send_in_thread(chat, thread_ref, part)


def _open(db: Database, now: datetime) -> int:
    with db.session() as session:
        return open_due_weeks(session, now=now)


def _claim(db: Database, now: datetime, worker: str, batch: int) -> list[int]:
    with db.session() as session:
        return claim_deliveries(session, now=now, worker=worker, limit=batch)


def _job(db: Database, delivery_id: int) -> DeliveryJob | None:
    with db.session() as session:
        return delivery_job(session, delivery_id=delivery_id)


def _report(db: Database, job: DeliveryJob, now: datetime) -> Report:
    with db.session() as session:
        team = session.get(Team, job.team_id)
        assert team is not None
        with use_locale(team.locale):
            return build_report(session, team=team, period=period_containing("week", job.week_start), now=now)


def _progress(db: Database, delivery_id: int, progress: int, thread_ref: str | None) -> None:
    with db.session() as session:
        save_progress(session, delivery_id=delivery_id, progress=progress, thread_ref=thread_ref)


def _sent(db: Database, delivery_id: int, worker: str, now: datetime) -> None:
    with db.session() as session:
        outbox.mark_sent(session, DigestDelivery, row_id=delivery_id, worker=worker, now=now)


def _failed(db: Database, delivery_id: int, worker: str, now: datetime, error: str) -> datetime | None:
    with db.session() as session:
        return outbox.mark_failed(session, DigestDelivery, row_id=delivery_id, worker=worker, now=now, error=error)


def _cancel(db: Database, delivery_id: int, now: datetime) -> None:
    with db.session() as session:
        outbox.mark_cancelled(session, DigestDelivery, row_id=delivery_id, now=now, reason="channel removed")
