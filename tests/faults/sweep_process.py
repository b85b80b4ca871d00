"""A bot process for the SIGKILL tests: sweeps reminders (or digests) on a SQLite file with a messenger that
writes to files. ``started`` gets a line when a send begins, ``sent`` when it completed; the send numbered
``hang_at`` hangs (a platform that does not answer), so the test can kill the process in the middle of it.

    python -m tests.faults.sweep_process DB_URL SENT STARTED NOW_ISO WORKER HANG_AT [reminders|digests]
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from pathlib import Path

from jobs.digest import sweep_digests
from jobs.reminders import sweep_reminders
from storage.db import Database
from tests.jobs.messengers import FileMessenger


def main(url: str, sent: str, started: str, now_iso: str, worker: str, hang_at: str, kind: str = "reminders") -> None:
    db = Database.from_url(url)
    messenger = FileMessenger(Path(sent), Path(started), hang_at=int(hang_at))
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
