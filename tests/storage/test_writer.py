"""The group-commit writer: many units of work share one transaction, a caller's await ends only once its
unit is committed, and one failing unit never fails the others in its batch — on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from storage.db import Database
from storage.events import mark_processed
from storage.faults import Fault, classify
from storage.models import ProcessedEvent
from storage.writer import Writer, WriteTimeout, writer_for


def marked(db: Database) -> set[str]:
    with db.reader() as session:
        return set(session.exec(select(ProcessedEvent.event_id)).all())


def mark(event_id: str, *, fail: bool = False):
    """A unit of work: record an event id (and, for a bad one, fail after writing it)."""

    def work(session: Session) -> str:
        mark_processed(session, platform="test", event_id=event_id)
        if fail:
            raise ValueError(f"{event_id} is bad")
        return event_id

    return work


async def test_units_submitted_together_share_transactions_and_each_returns_its_value(any_db):
    writer = Writer(any_db)

    results = await asyncio.gather(*(writer.submit(mark(f"e{n}")) for n in range(60)))

    assert results == [f"e{n}" for n in range(60)]
    assert marked(any_db) == {f"e{n}" for n in range(60)}
    assert writer.batches < 60 / 4  # the first unit goes alone, the rest waited for it and went together


async def test_the_await_ends_after_the_commit(any_db):
    writer = Writer(any_db)

    await writer.submit(mark("e1"))

    assert "e1" in marked(any_db)  # another connection sees it: it was committed before submit returned


async def test_a_failing_unit_fails_alone_and_its_neighbours_are_stored(any_db):
    writer = Writer(any_db)
    units = [mark("e1"), mark("e2"), mark("bad", fail=True), mark("e3")]

    outcomes = await asyncio.gather(*(writer.submit(unit) for unit in units), return_exceptions=True)

    assert outcomes[:2] == ["e1", "e2"] and outcomes[3] == "e3"
    assert isinstance(outcomes[2], ValueError) and str(outcomes[2]) == "bad is bad"
    assert marked(any_db) == {"e1", "e2", "e3"}  # the bad unit's own write was rolled back with it


async def test_a_failed_batch_is_replayed_one_unit_per_transaction(any_db):
    writer = Writer(any_db)
    first = asyncio.ensure_future(writer.submit(mark("first")))  # goes alone: the rest queue behind it
    await asyncio.sleep(0)
    rest = [writer.submit(mark(f"e{n}", fail=n == 5)) for n in range(10)]

    outcomes = await asyncio.gather(first, *rest, return_exceptions=True)

    assert [isinstance(o, ValueError) for o in outcomes] == [False] * 6 + [True] + [False] * 4
    # first alone, then the ten together (rolled back), then the ten again one by one
    assert writer.batches == 1 + 1 + 10
    assert marked(any_db) == {"first"} | {f"e{n}" for n in range(10) if n != 5}


async def test_a_database_that_cannot_write_fails_the_batch_at_once_without_replaying_it(db):
    writer = Writer(db)

    def locked(session: Session) -> None:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    first = asyncio.ensure_future(writer.submit(mark("first")))
    await asyncio.sleep(0)
    rest = [writer.submit(mark("e1")), writer.submit(locked), writer.submit(mark("e2"))]
    outcomes = await asyncio.gather(first, *rest, return_exceptions=True)

    assert outcomes[0] == "first"
    assert all(isinstance(o, OperationalError) for o in outcomes[1:])  # each caller keeps its delivery for later
    assert writer.batches == 2
    assert marked(db) == {"first"}


async def test_a_caller_that_gives_up_does_not_stop_the_others(any_db):
    writer = Writer(any_db)
    first = asyncio.ensure_future(writer.submit(mark("first")))
    await asyncio.sleep(0)
    impatient = asyncio.ensure_future(writer.submit(mark("impatient")))
    patient = asyncio.ensure_future(writer.submit(mark("patient")))
    await asyncio.sleep(0)
    impatient.cancel()

    assert await patient == "patient" and await first == "first"
    with pytest.raises(asyncio.CancelledError):
        await impatient


def test_every_door_of_a_database_shares_its_one_writer(db, tmp_path):
    assert writer_for(db) is writer_for(db)
    other = Database.from_url(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        assert writer_for(other) is not writer_for(db)
    finally:
        other.dispose()


def test_a_database_nobody_uses_any_more_takes_its_writer_with_it(tmp_path):
    import gc
    import weakref

    db = Database.from_url(f"sqlite:///{tmp_path / 'gone.db'}")
    engine = weakref.ref(db.engine)
    writer_for(db)
    db.dispose()
    del db
    gc.collect()
    assert engine() is None  # neither the writer nor the registry keeps the engine alive


async def test_a_unit_the_locked_database_does_not_take_in_time_is_given_up_and_never_runs(db):
    """A door that must answer in time (Slack: 3 s) gives up when another process holds the write lock; what it
    gave up must not be stored later, when the lock is released — the door has said "not saved"."""
    writer = Writer(db)
    holder = sqlite3.connect(db.engine.url.database, isolation_level=None, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(WriteTimeout) as given_up:
            await writer.submit(mark("late"), within=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert classify(given_up.value) is Fault.LOCKED  # every door treats it as the database being busy
    assert await writer.submit(mark("after")) == "after"  # committed after the batch that waited for the lock
    assert marked(db) == {"after"}


async def test_a_unit_whose_batch_holds_the_lock_when_its_deadline_passes_is_committed_not_given_up(any_db):
    """Once its batch holds the write lock a unit is stored: a caller told "not saved" then would be told wrong."""
    writer = Writer(any_db)
    running, go = threading.Event(), threading.Event()

    def slow(session: Session) -> str:
        mark_processed(session, platform="test", event_id="slow")
        running.set()
        assert go.wait(10)
        return "slow"

    submitted = time.monotonic()
    unit = asyncio.ensure_future(writer.submit(slow, within=0.1))
    assert await asyncio.to_thread(running.wait, 10)
    while time.monotonic() < submitted + 0.3:  # the deadline has passed while the unit runs
        await asyncio.sleep(0.02)
    assert not unit.done()
    go.set()

    assert await unit == "slow"
    assert marked(any_db) == {"slow"}


async def test_units_with_a_deadline_share_one_timer(any_db):
    """The Slack door gives every vote a deadline: that costs no timer (and no extra futures) per unit — one timer
    waits for the soonest deadline of them all."""
    loop = asyncio.get_running_loop()
    writer = Writer(any_db)
    before = len(loop._scheduled)  # the loop's timers (asyncio's own list)

    units = [asyncio.ensure_future(writer.submit(mark(f"e{n}"), within=30)) for n in range(100)]
    await asyncio.sleep(0)  # every unit submitted, none committed yet

    assert len(loop._scheduled) - before == 1
    assert await asyncio.gather(*units) == [f"e{n}" for n in range(100)]


async def test_each_unit_is_given_up_at_its_own_deadline(db):
    """Deadlines of different lengths while the write lock is held elsewhere: each unit is given up when its own
    deadline passes, not before, and none of them runs later."""
    writer = Writer(db)
    holder = sqlite3.connect(db.engine.url.database, isolation_level=None, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    given_up: dict[str, float] = {}
    started = time.monotonic()

    async def submit(name: str, within: float) -> None:
        with pytest.raises(WriteTimeout):
            await writer.submit(mark(name), within=within)
        given_up[name] = time.monotonic() - started

    try:
        await asyncio.gather(submit("late", 0.6), submit("soon", 0.2))
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert 0.2 <= given_up["soon"] < 0.6 <= given_up["late"]
    assert await writer.submit(mark("after")) == "after"
    assert marked(db) == {"after"}


async def test_the_cpu_its_thread_spends_on_batches_is_counted(db):
    """The benchmark splits a door's CPU per event into the writer's and the rest with this."""
    writer = Writer(db)
    assert writer.cpu_seconds == 0.0

    await asyncio.gather(*(writer.submit(mark(f"e{n}")) for n in range(200)))

    assert 0.0 < writer.cpu_seconds < time.process_time()
