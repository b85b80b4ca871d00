"""A process that writes through the group-commit writer and says each id it was told is stored, for the kill
test: several lanes at once, each submitting the next id once the previous one was committed.

    python -m tests.faults.writer_process DB_URL [SCHEMA]

Prints ``acked ID`` (flushed) after each ``submit`` returned: an acknowledgement a platform would get.
"""

from __future__ import annotations

import asyncio
import itertools
import sys

from sqlmodel import Session

from storage.db import Database, make_engine
from storage.events import mark_processed
from storage.writer import Writer

LANES = 16


def mark(event_id: str):
    def work(session: Session) -> None:
        mark_processed(session, platform="kill", event_id=event_id)

    return work


async def write_until_killed(writer: Writer) -> None:
    ids = itertools.count()

    async def lane() -> None:
        while True:
            event_id = f"e{next(ids)}"
            await writer.submit(mark(event_id))
            sys.stdout.write(f"acked {event_id}\n")
            sys.stdout.flush()

    await asyncio.gather(*(lane() for _ in range(LANES)))


def main(url: str, schema: str | None = None) -> None:
    connect_args = {"options": f"-csearch_path={schema}"} if schema else None
    db = Database(make_engine(url, connect_args=connect_args))
    asyncio.run(write_until_killed(Writer(db)))


if __name__ == "__main__":
    main(*sys.argv[1:])
