"""Stopping the ticker never ends a session with a traceback: the running sweep finishes (or, past its grace,
is cancelled quietly) instead of being cancelled by APScheduler, which logs that as a job's error."""

from __future__ import annotations

import asyncio
import logging

import pytest

from jobs.scheduler import Ticker
from storage.db import Database


class SlowTicker(Ticker):
    def __init__(self, db: Database, seconds: float) -> None:
        super().__init__(db, {})
        self.seconds = seconds
        self.started = asyncio.Event()
        self.finished = False

    async def _sweep(self) -> None:
        self.started.set()
        await asyncio.sleep(self.seconds)
        self.finished = True


async def test_stop_lets_the_running_sweep_finish(db: Database, caplog: pytest.LogCaptureFixture):
    ticker = SlowTicker(db, seconds=0.2)
    ticker.start()
    await asyncio.wait_for(ticker.started.wait(), 5)
    with caplog.at_level(logging.INFO):
        await ticker.stop(grace=5)
    assert ticker.finished
    assert not ticker.scheduler.running
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_a_sweep_past_its_grace_is_cancelled_without_a_traceback(db: Database,
                                                                       caplog: pytest.LogCaptureFixture):
    ticker = SlowTicker(db, seconds=60)
    ticker.start()
    await asyncio.wait_for(ticker.started.wait(), 5)
    with caplog.at_level(logging.INFO):
        await ticker.stop(grace=0.1)
        await asyncio.sleep(0)  # APScheduler's done-callback runs
    assert not ticker.finished
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert any("sweep stopped at shutdown" in r.getMessage() for r in caplog.records)
