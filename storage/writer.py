"""One writer per database with group commit: many small units of work (a vote, an inbox row marked done) share
one transaction, so the bot pays one commit — one fsync — per batch instead of one per event.

A door hands a unit of work (a function of the open session) to :meth:`Writer.submit` and awaits it; the await
returns only once the transaction that ran it has committed, so a door that acknowledges after the await never
acknowledges what is not stored. Work that arrives while a batch is committing waits for the next batch: under
load batches grow by themselves, and a lone event goes at once (no timer).

One unit that fails must not fail its neighbours: when a batch raises, it is rolled back and every unit in it
runs again in a transaction of its own, and only the failing one gets the error. A database that cannot take
writes at all (locked past the busy timeout, read-only, unreachable: :func:`storage.faults.classify`) fails the
whole batch at once instead — replaying a hundred units to get a hundred timeouts helps no one, and each caller
then keeps its delivery unacknowledged for the platform to send again.

A unit may come with a deadline (``submit(work, within=2.5)``): Slack wants its answer within 3 s, and a lock held
elsewhere must not make the door miss that. When the deadline passes before the writer holds the database's write
lock, the unit is given up — it will not run, the caller gets :class:`WriteTimeout` — and the door answers "not
saved" (or a non-200, which Slack retries). Once a batch holds the lock its units are committed; a caller whose
deadline passes then waits the few milliseconds for that commit instead, so "not saved" is never said of a
unit that was in fact stored.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session

from storage.db import Database
from storage.faults import classify

log = logging.getLogger(f"devrelbot.{__name__}")

T = TypeVar("T")
Work = Callable[[Session], T]

MAX_BATCH = 256  # units per transaction at most: a batch's locks are held for a few milliseconds, not seconds


class WriteTimeout(PoolTimeout):
    """The database did not take a unit of work within its deadline (its write lock held elsewhere, say): the
    unit was not run and never will be. A ``TimeoutError`` of SQLAlchemy's, so every door handles it like a pool
    timeout — the database is away for now (:func:`storage.faults.classify`: locked)."""


@dataclass
class _Job:
    work: Work[Any]
    future: asyncio.Future[Any]
    # Who decided the unit's fate first, under the lock (the writer's thread and the caller's loop both look):
    # "started" — it runs in a batch that holds the write lock; "abandoned" — its caller gave up, it never runs.
    state: str = "waiting"
    guard: threading.Lock = field(default_factory=threading.Lock)
    within: float = 0.0  # the caller's deadline in seconds from its submit, when it gave one (for the error)

    def start(self) -> bool:
        """The writer, holding the write lock: True when the unit is to run (also again, in a replay)."""
        with self.guard:
            if self.state == "waiting":
                self.state = "started"
            return self.state == "started"

    def abandon(self) -> bool:
        """The caller, its deadline passed: True when the unit will never run."""
        with self.guard:
            if self.state == "waiting":
                self.state = "abandoned"
            return self.state == "abandoned"


@dataclass(frozen=True)
class _Outcome:
    value: Any = None
    error: BaseException | None = None


class Writer:
    def __init__(self, db: Database, *, max_batch: int = MAX_BATCH) -> None:
        # Only a weak reference to the engine: ``writer_for`` keys its writers by engine, and a writer holding its
        # engine would keep every engine a process ever made (tests make hundreds) alive.
        self._engine = weakref.ref(db.engine)
        self.max_batch = max_batch
        self._waiting: list[_Job] = []
        self._task: asyncio.Task[None] | None = None
        # The units with a deadline, soonest first, and the one timer that gives up those whose deadline passed
        # (:meth:`_give_up_late`). One timer for them all, not a timeout per unit: ``asyncio.wait_for`` around a
        # shielded future made two futures, a timer and three callbacks per unit, which cost the Slack door more
        # than a vote's statements on the loop's side.
        self._deadlines: list[tuple[float, int, _Job]] = []
        self._order = itertools.count()  # ties on the deadline: the heap never compares two jobs
        self._timer: asyncio.TimerHandle | None = None
        self._timer_loop: asyncio.AbstractEventLoop | None = None
        self.batches = 0  # transactions committed or tried (for tests and the benchmark)
        # CPU seconds the writer's thread spent on batches (the benchmark splits a door's CPU per event with it)
        self.cpu_seconds = 0.0

    async def submit(self, work: Work[T], *, within: float | None = None) -> T:
        """Run ``work(session)`` in the next batch's transaction; returns its value once that transaction has
        committed, or raises what it raised (in a transaction of its own: nothing of it is stored).

        ``within``: seconds to wait for the database to take the unit; past them, while no batch holding the
        write lock has taken it up, it is dropped unrun and :class:`WriteTimeout` is raised."""
        loop = asyncio.get_running_loop()
        job = _Job(work, loop.create_future())
        self._waiting.append(job)
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._task = loop.create_task(self._drain(), name="database-writer")
        if within is not None:
            self._watch(job, loop.time() + within, within, loop)
        # A caller cancelled here cancels the future: the unit still runs (it may already have), like any unit
        # whose caller left — its outcome is simply not read (``_drain``).
        return await job.future

    def _watch(self, job: _Job, deadline: float, within: float, loop: asyncio.AbstractEventLoop) -> None:
        """Give ``job`` up at ``deadline`` unless a batch holding the write lock has started it by then."""
        if self._timer_loop is not loop:  # a new event loop (tests run many): the old one's units are gone
            if self._timer is not None:
                self._timer.cancel()
            self._deadlines, self._timer, self._timer_loop = [], None, loop
        job.within = within
        heapq.heappush(self._deadlines, (deadline, next(self._order), job))
        if self._timer is None or deadline < self._timer.when():
            if self._timer is not None:
                self._timer.cancel()
            self._timer = loop.call_at(deadline, self._give_up_late)

    def _give_up_late(self) -> None:
        """The timer: every unit whose deadline passed and that no batch has started is given up — it will not
        run, its caller gets :class:`WriteTimeout`. One whose batch holds the lock is left to commit (a moment
        away), so "not saved" is never said of a unit that is stored. Then the timer waits for the next one."""
        self._timer = None
        loop = self._timer_loop
        assert loop is not None
        now = loop.time()
        deadlines = self._deadlines
        while deadlines and (deadlines[0][0] <= now or deadlines[0][2].future.done()):
            _deadline, _order, job = heapq.heappop(deadlines)
            if not job.future.done() and job.abandon():  # the writer skips it
                job.future.set_exception(
                    WriteTimeout(f"the database did not take the write within {job.within:.1f} s"))
        if deadlines:
            self._timer = loop.call_at(deadlines[0][0], self._give_up_late)

    async def _drain(self) -> None:
        """Commit batches until nothing waits; the next submit starts it again."""
        batch: list[_Job] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[: self.max_batch], self._waiting[self.max_batch :]
                outcomes = await asyncio.to_thread(self._timed_commit, batch)
                for job, outcome in zip(batch, outcomes, strict=True):
                    if job.future.done():  # its caller gave up: cancelled (stored all the same) or abandoned (not run)
                        continue
                    if outcome.error is None:
                        job.future.set_result(outcome.value)
                    else:
                        job.future.set_exception(outcome.error)
                batch = []
        finally:
            # Cancelled (the loop is stopping): whoever still waits learns that their work may not be stored.
            for job in batch + self._waiting:
                if not job.future.done():
                    job.future.cancel()
            self._waiting = []

    def _timed_commit(self, batch: list[_Job]) -> list[_Outcome]:
        started = time.thread_time()
        try:
            return self._commit(batch)
        finally:
            self.cpu_seconds += time.thread_time() - started

    def _commit(self, batch: list[_Job]) -> list[_Outcome]:
        """Blocking: one transaction for the batch; on failure, one transaction per unit."""
        self.batches += 1
        try:
            engine = self._engine()
            if engine is None:
                raise RuntimeError("the database of this writer was disposed of")
            with Database(engine).session() as session:
                session.connection()  # BEGIN (IMMEDIATE on SQLite): the write lock is held from here
                values = [job.work(session) if job.start() else None for job in batch]
        except Exception as error:
            if len(batch) == 1 or classify(error) is not None:
                return [_Outcome(error=error)] * len(batch)
            log.debug("a batch of %d failed (%s); replaying it one unit per transaction", len(batch),
                      type(error).__name__)
            return [self._commit([job])[0] for job in batch]
        return [_Outcome(value=value) for value in values]


_WRITERS: weakref.WeakKeyDictionary[Engine, Writer] = weakref.WeakKeyDictionary()


def writer_for(db: Database) -> Writer:
    """The one writer of ``db``'s engine in this process: every door's events share its batches."""
    writer = _WRITERS.get(db.engine)
    if writer is None:
        writer = _WRITERS[db.engine] = Writer(db)
    return writer
