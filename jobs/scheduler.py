"""One APScheduler AsyncIOScheduler, owned by the app, that only ticks: what is due lives in the database."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from handlers.core import Messenger
from jobs.digest import sweep_digests
from jobs.reminders import sweep_reminders
from storage.db import Database
from storage.models import utcnow

log = logging.getLogger(f"devrelbot.{__name__}")

TICK_SECONDS = 30


def worker_id() -> str:
    """Names this process in claims, so two bot processes on one database never take the same row."""
    return f"{socket.gethostname()[:30]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


class Ticker:
    def __init__(
        self,
        db: Database,
        messengers: Mapping[str, Messenger],
        *,
        clock: Callable[[], datetime] = utcnow,
        seconds: int = TICK_SECONDS,
    ) -> None:
        self.db = db
        self.messengers = dict(messengers)
        self.clock = clock
        self.worker = worker_id()
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        # coalesce + one instance: a slow sweep is never run twice at once, and missed ticks fold into one.
        self.scheduler.add_job(self.tick, "interval", seconds=seconds, id="sweep", max_instances=1, coalesce=True,
                               next_run_time=datetime.now(UTC))

    async def tick(self) -> None:
        """One sweep of each kind of due work; a failing one is logged and the next tick tries again."""
        try:
            result = await sweep_reminders(self.db, self.messengers, clock=self.clock, worker=self.worker)
            if result.sent or result.failed:
                log.info("reminders: %d sent, %d failed, %d no longer needed", result.sent, result.failed,
                         result.skipped)
        except Exception:  # the database may be away for a while
            log.exception("reminder sweep failed")
        try:
            digests = await sweep_digests(self.db, self.messengers, clock=self.clock, worker=self.worker)
            if digests.sent or digests.failed:
                log.info("digests: %d delivered, %d failed", digests.sent, digests.failed)
        except Exception:
            log.exception("digest sweep failed")

    def start(self) -> None:
        self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
