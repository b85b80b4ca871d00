"""One APScheduler AsyncIOScheduler, owned by the app, that only ticks: what is due lives in the database."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from handlers.core import Messenger
from jobs.audience import sweep_audience
from jobs.community_polls import sweep_community_polls
from jobs.digest import sweep_digests
from jobs.housekeeping import DELETED_RETENTION, prune
from jobs.reminders import sweep_reminders
from jobs.sweep import SweepResult
from storage.db import Database
from storage.faults import classify, first_line
from storage.models import utcnow

log = logging.getLogger(f"devrelbot.{__name__}")

TICK_SECONDS = 30
SweepObserver = Callable[[str, float, SweepResult], None]
PRUNE_EVERY = timedelta(hours=1)


def _log_failure(what: str, error: Exception) -> None:
    """The database away is expected now and then: one line, and the next tick tries again. Anything else is
    a bug: its traceback, at ERROR."""
    fault = classify(error) if isinstance(error, (OperationalError, PoolTimeout)) else None
    if fault is None:
        log.error("%s failed", what, exc_info=error)
    else:
        log.warning("%s skipped: database %s (%s); the next tick tries again", what, fault, first_line(error))


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
        deleted_retention: timedelta = DELETED_RETENTION,
        on_sweep: SweepObserver | None = None,
    ) -> None:
        self.db = db
        self.deleted_retention = deleted_retention
        self.on_sweep = on_sweep  # told how long each sweep took and what it claimed (the bot's metrics)
        self.messengers = dict(messengers)
        self.clock = clock
        self.worker = worker_id()
        self._sweeping: asyncio.Task[None] | None = None
        self._stopping = False
        self._pruned_at: datetime | None = None
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        # coalesce + one instance: a slow sweep is never run twice at once, and missed ticks fold into one.
        self.scheduler.add_job(self.tick, "interval", seconds=seconds, id="sweep", max_instances=1, coalesce=True,
                               next_run_time=datetime.now(UTC))

    async def tick(self) -> None:
        """One sweep of each kind of due work; a failing one is logged and the next tick tries again."""
        self._sweeping = asyncio.current_task()
        try:
            await self._sweep()
        except asyncio.CancelledError:
            if not self._stopping:
                raise
            # Cancelled by stop() after its grace period: whatever was claimed is claimed again when the lease
            # runs out. Ending quietly keeps APScheduler from logging a cancellation as a job's traceback.
            log.info("sweep stopped at shutdown; the next start picks up where it left off")
        finally:
            self._sweeping = None

    def _swept(self, job: str, started: float, result: SweepResult) -> None:
        if self.on_sweep is not None:
            try:
                self.on_sweep(job, time.perf_counter() - started, result)
            except Exception:
                log.warning("the sweep observer failed", exc_info=True)

    async def _sweep(self) -> None:
        try:
            started = time.perf_counter()
            result = await sweep_reminders(self.db, self.messengers, clock=self.clock, worker=self.worker)
            self._swept("reminders", started, result)
            if result.sent or result.failed:
                log.info("reminders: %d sent, %d failed, %d no longer needed", result.sent, result.failed,
                         result.skipped)
        except Exception as error:
            _log_failure("reminder sweep", error)
        try:
            started = time.perf_counter()
            digests = await sweep_digests(self.db, self.messengers, clock=self.clock, worker=self.worker)
            self._swept("digests", started, digests)
            if digests.sent or digests.failed:
                log.info("digests: %d delivered, %d failed", digests.sent, digests.failed)
        except Exception as error:
            _log_failure("digest sweep", error)
        try:
            polls = await sweep_community_polls(self.db, self.messengers, clock=self.clock, worker=self.worker)
            if polls.sent or polls.failed:
                log.info("community polls: %d closed, %d failed", polls.sent, polls.failed)
        except Exception as error:
            _log_failure("community poll sweep", error)
        try:
            counted = await sweep_audience(self.db, self.messengers, clock=self.clock, worker=self.worker)
            if counted.failed:
                log.info("audience counts: %d taken, %d failed", counted.sent, counted.failed)
        except Exception as error:
            _log_failure("audience count sweep", error)
        now = self.clock()
        if self._pruned_at is None or now - self._pruned_at >= PRUNE_EVERY:
            try:
                pruned = await asyncio.to_thread(prune, self.db, now=now, deleted_retention=self.deleted_retention)
                self._pruned_at = now
                if pruned.processed or pruned.inbox or pruned.deleted or pruned.dialogues:
                    log.info("housekeeping: %d dedupe marks, %d handled inbox rows, %d deleted activities and %d "
                             "abandoned dialogues pruned", pruned.processed, pruned.inbox, pruned.deleted,
                             pruned.dialogues)
            except Exception as error:
                _log_failure("housekeeping", error)

    def start(self) -> None:
        self.scheduler.start()

    async def stop(self, *, grace: float = 5.0) -> None:
        """No new tick; the one running gets ``grace`` seconds to finish its sends, then it is cancelled.
        (APScheduler's own shutdown would cancel it at once, and log the cancellation with a traceback.)"""
        if not self.scheduler.running:
            return
        self._stopping = True
        self.scheduler.pause()
        sweeping = self._sweeping
        if sweeping is not None and not sweeping.done():
            _done, pending = await asyncio.wait({sweeping}, timeout=grace)
            if pending:
                sweeping.cancel()
                await asyncio.wait({sweeping})
        self.scheduler.shutdown(wait=False)
        await asyncio.sleep(0)  # AsyncIOScheduler shuts down in a callback on the loop: let it run
