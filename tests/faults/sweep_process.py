"""A bot process for the SIGKILL tests: sweeps reminders (or digests) on a SQLite file with a messenger that
writes to files. ``started`` gets a line when a send begins, ``sent`` when it completed; the send numbered
``hang_at`` hangs (a platform that does not answer), so the test can kill the process in the middle of it.

    python -m tests.faults.sweep_process DB_URL SENT STARTED NOW_ISO WORKER HANG_AT [reminders|digests]
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime
from pathlib import Path

from handlers.core import ChatRef, DirectTarget, Reply, SentMessage
from handlers.markup import to_plain
from jobs.digest import sweep_digests
from jobs.reminders import sweep_reminders
from storage.db import Database


def append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as out:
        out.write(line + "\n")
        out.flush()
        os.fsync(out.fileno())


class SlowFileMessenger:
    platform = "console"

    def __init__(self, sent: Path, started: Path, hang_at: int) -> None:
        self.sent, self.started, self.hang_at = sent, started, hang_at
        self.count = 0

    async def send_direct(self, target: DirectTarget, reply: Reply) -> SentMessage:
        return await self._send(to_plain(reply.text).splitlines()[0])

    async def send(self, chat: ChatRef, reply: Reply) -> SentMessage:
        return await self._send(f"{chat.chat_id}: {to_plain(reply.text).splitlines()[0]}")

    async def send_in_thread(self, chat: ChatRef, parent_id: str, reply: Reply) -> SentMessage:
        part = "chart" if reply.image is not None else to_plain(reply.text).splitlines()[0]
        return await self._send(f"{chat.chat_id} (thread {parent_id}): {part}")

    async def _send(self, line: str) -> SentMessage:
        self.count += 1
        append(self.started, line)
        await asyncio.sleep(3600 if self.count == self.hang_at else 0.001)  # the network round trip
        append(self.sent, line)
        return SentMessage(chat=ChatRef(platform="console", chat_id="dm"), message_id=str(self.count))


def main(url: str, sent: str, started: str, now_iso: str, worker: str, hang_at: str, kind: str = "reminders") -> None:
    db = Database.from_url(url)
    messenger = SlowFileMessenger(Path(sent), Path(started), int(hang_at))
    now = datetime.fromisoformat(now_iso)

    async def sweep_until_done() -> None:
        while True:
            if kind == "digests":
                digests = await sweep_digests(db, {"console": messenger}, clock=lambda: now, worker=worker, batch=2,
                                              pace=False)
                if not (digests.sent or digests.failed):
                    return
                continue
            result = await sweep_reminders(db, {"console": messenger}, clock=lambda: now, worker=worker, batch=4)
            if not (result.sent or result.skipped or result.failed):
                return

    asyncio.run(sweep_until_done())
    db.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:])
