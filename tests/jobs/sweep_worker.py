"""A bot process for the concurrency test: its own engine, its own scheduler sweep, its own messenger."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from jobs.community_polls import sweep_community_polls
from jobs.reminders import sweep_reminders
from storage.db import Database, make_engine
from tests.jobs.messengers import FileMessenger


def run_worker(url: str, schema: str | None, worker: str, out: str, now_iso: str, start) -> None:  # noqa: ANN001
    connect_args = {"options": f"-csearch_path={schema}"} if schema else None
    db = Database(make_engine(url, connect_args=connect_args))
    Path(out).touch()
    # A network round trip per send: the other process claims meanwhile.
    messenger = FileMessenger(Path(out), round_trip=0.005)
    with db.engine.connect():  # connected before the start line, so neither gets a head start
        pass
    start.wait(60)  # both processes start sweeping together
    now = datetime.fromisoformat(now_iso)

    async def sweep_until_done() -> None:
        while True:
            result = await sweep_reminders(db, {"console": messenger}, clock=lambda: now, worker=worker, batch=10)
            if not (result.sent or result.skipped or result.failed):
                break

    asyncio.run(sweep_until_done())
    db.dispose()


def run_poll_worker(url: str, schema: str | None, worker: str, out: str, now_iso: str, start) -> None:  # noqa: ANN001
    """The same, closing community polls: each stopped copy and each posted result is a line in ``out``."""
    connect_args = {"options": f"-csearch_path={schema}"} if schema else None
    db = Database(make_engine(url, connect_args=connect_args))
    Path(out).touch()
    messenger = FileMessenger(Path(out), round_trip=0.005)
    with db.engine.connect():
        pass
    start.wait(60)
    now = datetime.fromisoformat(now_iso)

    async def sweep_until_done() -> None:
        while True:
            result = await sweep_community_polls(db, {"console": messenger}, clock=lambda: now, worker=worker,
                                                 batch=5)
            if not (result.sent or result.skipped or result.failed):
                break

    asyncio.run(sweep_until_done())
    db.dispose()
