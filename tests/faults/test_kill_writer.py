"""Acknowledged means stored, for the group-commit writer: a process writing through it is killed (SIGKILL)
in the middle of a load, and every id it had acknowledged — its ``submit`` returned — is in the database."""

from __future__ import annotations

import asyncio
import signal
import sys

from sqlmodel import select

from storage.db import Database
from storage.models import ProcessedEvent

ACKS_BEFORE_THE_KILL = 400


def stored(db: Database) -> set[str]:
    with db.reader() as session:
        return set(session.exec(select(ProcessedEvent.event_id).where(ProcessedEvent.platform == "kill")).all())


async def test_every_acknowledged_write_survives_a_kill_in_the_middle_of_a_batch(any_db):
    args = [any_db.engine.url.render_as_string(hide_password=False)]
    schema = _schema_of(any_db)
    if schema:
        args.append(schema)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.faults.writer_process", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    acked: set[str] = set()
    try:
        async with asyncio.timeout(120):
            while len(acked) < ACKS_BEFORE_THE_KILL:
                line = await process.stdout.readline()
                assert line, (await process.stderr.read()).decode()[-2000:] if process.stderr else "it ended"
                acked.add(line.decode().split()[1])
    finally:
        process.send_signal(signal.SIGKILL)  # mid-load: lanes are waiting on a batch that is committing
        rest, _err = await process.communicate()
    acked |= {line.split()[1] for line in rest.decode().splitlines() if line.startswith("acked ")}

    found = stored(any_db)
    assert acked <= found, f"acknowledged but not stored: {sorted(acked - found)[:10]}"
    assert len(found) >= len(acked)  # a batch may have committed before its acks were printed: never the reverse


def _schema_of(db: Database) -> str | None:
    """The schema a test PostgreSQL database lives in (``-csearch_path=…`` in its connect args)."""
    with db.engine.connect() as conn:
        return str(conn.exec_driver_sql("SELECT current_schema()").scalar()) if db.is_postgres else None
