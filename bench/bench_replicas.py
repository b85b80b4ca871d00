"""Throughput of three replicas against one, on the same load, measured side by side in one run.

    .venv/bin/python bench/bench_replicas.py [--postgres URL] [--updates 240] [--commands 60] [--rounds 2]

Each configuration is ``devrelbot run`` processes on a fresh PostgreSQL schema behind the round-robin proxy of
``tests/replicas.py`` (what nginx does in docs/deploy.md), Slack in HTTP mode and Telegram in webhook mode, against
the local fakes. The load: ``--updates`` Telegram webhook updates (``/log`` in twelve group chats) and
``--commands`` Slack ``/log`` slash commands, sent with 16 requests in flight; the clock runs from the first
request to the moment every item is in the database (Telegram updates are acknowledged once stored and handled
after, so the end is "applied", not "acknowledged"). One replica and three replicas alternate, ``--rounds`` times
each, so a change in the machine's load hits both alike; printed: items/s of each run and the ratio of the medians.

The replicas share the machine with the proxy, the fakes and this script: on a two-core machine three replicas
compete for the same cores, so the ratio says how much the bot gains from more processes on one host, not what
three hosts would do.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
from sqlalchemy import text
from sqlmodel import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage.db import Database, make_engine, normalize_url  # noqa: E402
from storage.models import Activity  # noqa: E402
from tests.fakes.slack_api import FakeSlackAPI  # noqa: E402
from tests.fakes.telegram_api import FakeBotApi, message_update  # noqa: E402
from tests.replicas import Replica, RoundRobinProxy, Sender, bounded, replica_env, schema_url  # noqa: E402

CHATS = 12
IN_FLIGHT = 16


def applied(db: Database) -> int:
    with db.reader() as session:
        return int(session.exec(select(func.count()).select_from(Activity)).one())


async def run_once(postgres_url: str, replicas: int, *, updates: int, commands: int, workdir: Path) -> float:
    """Items per second for ``replicas`` processes on a fresh schema."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(postgres_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = normalize_url(postgres_url)
    db = Database(make_engine(url, connect_args={"options": f"-csearch_path={schema}"}))
    db.upgrade()
    slack, telegram = FakeSlackAPI(), FakeBotApi()
    await slack.start()
    await telegram.start()
    env = replica_env(schema_url(url, schema), slack, telegram)
    env["LOG_LEVEL"] = "WARNING"
    group = [Replica(f"r{i}", env, workdir / f"{schema}-r{i}.log") for i in range(replicas)]
    proxy = RoundRobinProxy(group)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
            for replica in group:
                await replica.start()
            for replica in group:
                await replica.wait_ready(session, timeout=180)
            sender = Sender(await proxy.start(), slack, session)
            jobs = [sender.telegram({"update_id": 10_000 + n, **message_update(
                        f'/log talk "T{n}" @ Conf 2026-11-20', chat_id=-2000 - n % CHATS)})
                    for n in range(updates)]
            jobs += [sender.slack_command("/log", f'talk "S{n}" @ Conf 2026-11-20', user=f"U{n % 7}")
                     for n in range(commands)]
            jobs = [jobs[i] for i in sorted(range(len(jobs)), key=lambda i: (i * 7919) % len(jobs))]  # mixed
            started = time.perf_counter()
            acknowledged = await bounded(IN_FLIGHT, jobs)
            expected = sum(1 for ok in acknowledged if ok)
            deadline = time.monotonic() + 600
            while applied(db) < expected:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"only {applied(db)} of {expected} items applied after 10 minutes")
                await asyncio.sleep(0.05)
            seconds = time.perf_counter() - started
            if expected != updates + commands:
                print(f"  ({updates + commands - expected} slash commands not acknowledged)")
    finally:
        await proxy.close()
        for replica in group:
            await replica.stop()
        await slack.stop()
        await telegram.close()
        db.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return expected / seconds


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default=os.environ.get("DEVRELBOT_TEST_POSTGRES_URL"))
    parser.add_argument("--updates", type=int, default=240)
    parser.add_argument("--commands", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if not args.postgres:
        sys.exit("Replicas need PostgreSQL: give --postgres URL or set DEVRELBOT_TEST_POSTGRES_URL")
    print(f"load: {args.updates} Telegram webhook updates + {args.commands} Slack commands, {IN_FLIGHT} in flight; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    results: dict[int, list[float]] = {1: [], 3: []}
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(1, args.rounds + 1):
            for replicas in (1, 3):
                rate = await run_once(args.postgres, replicas, updates=args.updates, commands=args.commands,
                                      workdir=Path(tmp))
                results[replicas].append(rate)
                print(f"round {round_}: {replicas} replica{'s' if replicas > 1 else ''}: {rate:7.1f} items/s "
                      f"(load average {os.getloadavg()[0]:.1f})")
    one, three = statistics.median(results[1]), statistics.median(results[3])
    print(f"median: 1 replica {one:.1f} items/s, 3 replicas {three:.1f} items/s — ratio 3:1 = {three / one:.2f}×")


if __name__ == "__main__":
    asyncio.run(main())
