"""A bot process for the concurrency test: its own engine, its own scheduler sweep, its own messenger."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from handlers.core import ChatRef, DirectTarget, Reply, SentMessage
from handlers.markup import to_plain
from jobs.reminders import sweep_reminders
from storage.db import Database, make_engine


class FileMessenger:
    platform = "console"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: list[str] = []

    async def send_direct(self, target: DirectTarget, reply: Reply) -> SentMessage:
        await asyncio.sleep(0.005)  # a network round trip: the other process claims meanwhile
        self.lines.append(to_plain(reply.text).splitlines()[0])
        return SentMessage(chat=ChatRef(platform="console", chat_id="dm"), message_id=str(len(self.lines)))


def run_worker(url: str, schema: str | None, worker: str, out: str, now_iso: str, start) -> None:  # noqa: ANN001
    connect_args = {"options": f"-csearch_path={schema}"} if schema else None
    db = Database(make_engine(url, connect_args=connect_args))
    messenger = FileMessenger(Path(out))
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
    Path(out).write_text("\n".join(messenger.lines), encoding="utf-8")
    db.dispose()
