"""Reaction ingest, durable and lossless, against the stack's own ceilings — side by side in one run.

    .venv/bin/python bench/bench_reactions.py [--rounds 2] [--slices 4] [--seconds 5] [--warmup 2]
        [--concurrency 64] [--people 12000] [--slack-latency-ms 80] [--telegram-latency-ms 20]
        [--sqlite-synchronous FULL|NORMAL]

This process runs only the doors being measured; the platform APIs (``fake_services.py``, answering after a
realistic latency) and the Slack load generator (``slack_load.py``; for Telegram the fake Bot API is the
generator) run in processes of their own. Each round measures:

  Slack HTTP   (ceiling) bare slack-bolt: an AsyncApp with no-op ``reaction_added``/``reaction_removed``
               listeners behind the same aiohttp adapter code as the door (signature checked, processed before
               the response, as the door is configured);
               (ours) the Slack door: every vote committed before its 200 (the group-commit writer); a reaction
               event is verified and applied without bolt's dispatch (bot/slack/reactions.py), so the door can
               cost less than bolt's no-op per event on that part — the vote's transaction is what it adds.
  Telegram     (ceiling) python-telegram-bot's own long polling (``Updater``) into a no-op handler;
               (ours) the Telegram door's real update path: its own long polling, the durable inbox (a batch is
               committed before its offset is confirmed), one queue per voter, the vote committed.
  SQLite       single-event transactions and batches of 100 with the project's engine and pragmas, with
               ``synchronous`` NORMAL and FULL (the database's ceiling).

Ceiling and door are up at the same time and loaded in turn, ``--slices`` times each in alternating order, so a
change in the machine's load (it is shared) hits both alike; the ratio is of their totals. Slack load: many
people at once, each person's next event once the previous got its 200; a few deliveries race their own retry
(same event id, sent at the same moment), a few come again late; every slice after a warm-up. Telegram load:
people's updates served by getUpdates in batches of 100, every 10th batch sent a second time while its first
copy is being handled; a warm-up load first. Afterwards the votes in the database must equal what was sent —
none lost, none counted twice — or the bench fails.

Printed per round: events/s of each path, our ratio to the ceiling, and the targets (Slack ≥ 0.7× bare bolt
and ≥ 1,000/s; Telegram ≥ 3,000/s); the CPU time this process spent per event while each path was loaded (every
thread: the loop, the writer, the library — it is far less sensitive than events/s to the load of a shared
machine, and on an idle one events/s follow it: the GIL makes each path's threads one CPU's worth); then the
medians over the rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sqlite3
import statistics
import sys
import tempfile
import time
import types
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: bench/ and tests/ importable
import handlers  # noqa: E402, F401  (registers the commands and the feedback event handlers)
from handlers.router import Router  # noqa: E402
from storage.db import DEFAULT_SQLITE_SYNCHRONOUS, Database  # noqa: E402
from storage.models import Activity, FeedbackCard, ProcessedEvent, Vote  # noqa: E402
from storage.writer import writer_for  # noqa: E402
from tests.fakes import slack_api as fake_slack  # noqa: E402
from tests.fakes import telegram_api as fake_tg  # noqa: E402

HERE = Path(__file__).resolve().parent
TALK = 'talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300'
SLACK_RATIO_TARGET, SLACK_TARGET, TELEGRAM_TARGET = 0.7, 1_000, 3_000


# --- processes ---------------------------------------------------------------------------------------------


class Service:
    """A fake platform API in a process of its own; it stops when its standard input closes."""

    def __init__(self, *args: str) -> None:
        self.args = args
        self.process: asyncio.subprocess.Process | None = None
        self.url = ""

    async def __aenter__(self) -> Service:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, str(HERE / "fake_services.py"), *self.args,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )
        assert self.process.stdout is not None
        line = (await asyncio.wait_for(self.process.stdout.readline(), 30)).decode().split()
        if not line or line[0] != "ready":
            raise RuntimeError(f"the fake {self.args[0]} API did not start")
        self.url = line[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), 10)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


async def slack_load(url: str, card_ts: str, args: argparse.Namespace, prefix: str) -> dict[str, Any]:
    """The load generator's process: returns what it measured and the votes it expects."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(HERE / "slack_load.py"), url, card_ts, "--seconds", str(args.seconds),
        "--warmup", str(args.warmup), "--concurrency", str(args.concurrency), "--people-prefix", prefix,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError("the Slack load generator failed")
    return dict(json.loads(out.decode().strip().splitlines()[-1]))


# --- databases ---------------------------------------------------------------------------------------------


class FreshDatabases:
    """A migrated SQLite file per measurement, copied from one migrated template (cheap, and each door starts
    from the same empty state)."""

    def __init__(self, folder: Path, synchronous: str) -> None:
        self.folder = folder
        self.synchronous = synchronous
        self.template = folder / "template.db"
        db = Database.from_url(f"sqlite:///{self.template}")
        db.upgrade()
        db.dispose()
        self.count = 0

    def fresh(self, synchronous: str | None = None) -> Database:
        self.count += 1
        path = self.folder / f"bench{self.count}.db"
        path.write_bytes(self.template.read_bytes())
        return Database.from_url(f"sqlite:///{path}", synchronous=synchronous or self.synchronous)


def votes_on(db: Database, card_id: int) -> dict[str, int]:
    with db.reader() as session:
        return {voter: score for voter, score in session.execute(
            select(Vote.voter, Vote.score).where(Vote.card_id == card_id))}  # type: ignore[arg-type]


async def card_of(db: Database, platform: str) -> FeedbackCard:
    for _ in range(1000):
        with db.reader() as session:
            card = session.scalars(select(FeedbackCard).where(FeedbackCard.platform == platform)).first()
        if card is not None and card.message_id is not None:
            return card
        await asyncio.sleep(0.02)
    raise RuntimeError(f"no {platform} feedback card was posted")


async def newest_activity(db: Database) -> int:
    for _ in range(1000):
        with db.reader() as session:
            newest = session.scalar(select(func.max(Activity.id)))
        if newest:
            return int(newest)
        await asyncio.sleep(0.02)
    raise RuntimeError("the /log of the setup was not stored")


def check(label: str, expected: dict[str, int], found: dict[str, int]) -> bool:
    lost = sorted(v for v in expected if v not in found)
    wrong = sorted(v for v in expected if v in found and found[v] != expected[v])
    extra = sorted(v for v in found if v not in expected)
    print(f"      {label}: {len(expected)} votes expected, {len(found)} in the database: lost {len(lost)}, "
          f"wrong score {len(wrong)}, counted but withdrawn {len(extra)}")
    if lost or wrong or extra:
        print(f"      MISMATCH: lost {lost[:5]} wrong {wrong[:5]} extra {extra[:5]}")
    return not (lost or wrong or extra)


# --- Slack ---------------------------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def bare_bolt(api_url: str) -> AsyncIterator[str]:
    """The ceiling: bolt with no-op reaction listeners, behind aiohttp exactly as the Slack door serves it
    (``SlackDoor.handle_http``: to_bolt_request → async_dispatch → to_aiohttp_response). Yields its URL."""
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token=fake_slack.BOT_TOKEN, base_url=api_url)
    app = AsyncApp(client=client, signing_secret=fake_slack.SIGNING_SECRET, process_before_response=True)

    async def noop() -> None:
        return None

    app.event("reaction_added")(noop)
    app.event("reaction_removed")(noop)

    async def handle(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    web_app = web.Application()
    web_app.router.add_post("/slack/events", handle)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def slack_door(api_url: str, db: Database) -> AsyncIterator[tuple[str, FeedbackCard]]:
    """The Slack door in HTTP mode with a talk and its feedback card posted (the setup, not timed)."""
    from bot.settings import Settings
    from bot.slack import SlackDoor

    settings = Settings(_env_file=None, slack_bot_token=fake_slack.BOT_TOKEN,  # type: ignore[call-arg]
                        slack_signing_secret=fake_slack.SIGNING_SECRET, slack_api_base_url=api_url)
    door = SlackDoor(settings, Router(db, default_timezone="UTC"), host="127.0.0.1", port=0)
    stop = asyncio.Event()
    task = asyncio.create_task(door.run(stop))
    await asyncio.wait_for(door.ready.wait(), 30)
    url = f"http://127.0.0.1:{door.bound_port}/slack/events"
    try:
        base = api_url.removesuffix("/api/")
        stub = types.SimpleNamespace(response_url=lambda token="cmd": f"{base}/response/{token}")
        async with aiohttp.ClientSession() as http:
            client = fake_slack.SlackClient(url, stub, http)  # type: ignore[arg-type]
            await client.command("/log", TALK)
            await client.command("/rate", str(await newest_activity(db)))
        yield url, await card_of(db, "slack")
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def measure_slack(args: argparse.Namespace, db: Database, number: int) -> dict[str, Any]:
    """Both servers up at once, loaded in turn: ``--slices`` alternating windows each, so a change in the
    machine's load hits both alike."""
    totals = {which: {"events": 0, "window": 0.0, "failed": 0, "redelivered": 0, "all_events": 0, "cpu": 0.0,
                      "writer_cpu": 0.0} for which in ("bare", "ours")}
    writer = writer_for(db)
    expected: dict[str, int] = {}
    async with (Service("slack", "--latency-ms", str(args.slack_latency_ms)) as fake, bare_bolt(fake.url) as bare,
                slack_door(fake.url, db) as (ours, card)):
        urls = {"bare": bare, "ours": ours}
        for n in range(args.slices):
            for which in ("bare", "ours") if (n + number) % 2 else ("ours", "bare"):
                cpu, writer_cpu = time.process_time(), writer.cpu_seconds
                result = await slack_load(urls[which], str(card.message_id), args, prefix=f"U{which[0]}{number}x{n}x")
                result["cpu"] = time.process_time() - cpu
                result["writer_cpu"] = writer.cpu_seconds - writer_cpu if which == "ours" else 0.0
                for key in totals[which]:
                    totals[which][key] += result[key]
                if which == "ours":
                    expected |= result["expected"]
        assert card.id is not None
        ok = check("Slack door", expected, votes_on(db, card.id))
    return {"bare": totals["bare"], "ours": totals["ours"], "ok": ok}


# --- Telegram ----------------------------------------------------------------------------------------------


async def bench_post(http: aiohttp.ClientSession, url: str, body: Any) -> dict[str, Any]:
    async with http.post(url, json=body) as response:
        return dict(await response.json())


async def bench_stats(http: aiohttp.ClientSession, url: str) -> dict[str, Any]:
    async with http.get(f"{url}/bench/stats") as response:
        return dict(await response.json())


@dataclass
class Progress:
    """How far a Telegram path got: ``count()`` is what it has handled so far (a baseline is taken before each
    load), ``settled(stats)`` whether nothing is left in flight."""

    count: Callable[[], int]
    settled: Callable[[dict[str, Any]], bool]
    counts_redeliveries: bool  # PTB handles a redelivered update again; the door's inbox drops it


async def timed_load(http: aiohttp.ClientSession, url: str, spec: dict[str, Any], progress: Progress
                     ) -> tuple[dict[str, Any], float]:
    """Make the fake serve a load; return it and the seconds until all of it was handled."""
    before, redelivered_before = progress.count(), (await bench_stats(http, url))["redelivered"]
    start = time.perf_counter()
    load = await bench_post(http, f"{url}/bench/load", spec)
    deadline = start + 600

    async def done() -> bool:
        # Asked every 20 ms in the measured process, so the cheapest check first: until the load's own updates are
        # all counted, neither the fake's statistics (an HTTP request) nor ``settled`` (a query) are asked for.
        # Asked all through the load they cost each path CPU per second, so more per update the slower the path.
        if progress.count() - before < load["updates"]:
            return False
        stats = await bench_stats(http, url)
        goal = load["updates"] + (stats["redelivered"] - redelivered_before if progress.counts_redeliveries else 0)
        return progress.count() - before >= goal and progress.settled(stats)

    while not await done():
        if time.perf_counter() > deadline:
            raise RuntimeError("the Telegram load was not handled within 10 minutes")
        await asyncio.sleep(0.02)
    return load, time.perf_counter() - start


def load_spec(message_id: int, first_user: int, people: int, seed: int) -> dict[str, Any]:
    return {"chat_id": fake_tg.GROUP_ID, "message_id": message_id, "first_user": first_user, "people": people,
            "seed": seed, "lanes": 64}


@contextlib.asynccontextmanager
async def ptb_polling(api_url: str, http: aiohttp.ClientSession) -> AsyncIterator[tuple[int, Progress]]:
    """The ceiling: python-telegram-bot's own long polling (Updater) into a no-op handler. Yields the message
    the load reacts to and how far it got."""
    from telegram import Update
    from telegram.ext import ApplicationBuilder, TypeHandler

    app = ApplicationBuilder().token(fake_tg.TOKEN).base_url(f"{api_url}/bot").job_queue(None).build()
    handled = 0

    async def noop(update: object, context: object) -> None:
        nonlocal handled
        handled += 1

    app.add_handler(TypeHandler(Update, noop))
    await app.initialize()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    await app.start()
    try:
        yield 1, Progress(lambda: handled, lambda stats: stats["left"] == 0, counts_redeliveries=True)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


@contextlib.asynccontextmanager
async def telegram_door(api_url: str, http: aiohttp.ClientSession, db: Database
                        ) -> AsyncIterator[tuple[int, Progress]]:
    """The Telegram door (its own polling, the durable inbox) with a talk and its card posted. Yields the card's
    message and how far it got: updates stored in the inbox, none of them waiting."""
    from bot.settings import load_settings
    from bot.telegram.door import TelegramDoor

    settings = load_settings(_env_file=None, telegram_bot_token=fake_tg.TOKEN, telegram_api_base_url=f"{api_url}/bot")
    door = TelegramDoor(settings, Router(db, default_timezone="UTC"), poll_timeout=1.0)
    stop = asyncio.Event()
    task = asyncio.create_task(door.run(stop))
    await asyncio.wait_for(door.ready.wait(), 30)
    # Asked every 20 ms in this process while the door is loaded, so they must cost the door next to nothing: on a
    # plain sqlite3 connection of their own (through an ORM session, each look cost the door's process about
    # 110 µs of CPU per update on the 2-core machine), rows counted since the newest seen (SQLite's one writer
    # hands out ids in commit order), and whether any row is still pending (an index lookup), not counts over the
    # whole, growing table. Outside a transaction, each query sees the last commit.
    looking = sqlite3.connect(f"file:{db.engine.url.database}?mode=ro", uri=True, check_same_thread=False)
    seen = {"rows": 0, "newest": 0}

    def stored() -> int:
        count, newest = looking.execute("SELECT count(*), max(id) FROM inbox_item WHERE id > ?",
                                        (seen["newest"],)).fetchone()
        if count:
            seen["rows"] += int(count)
            seen["newest"] = int(newest)
        return seen["rows"]

    def settled(stats: dict[str, Any]) -> bool:
        left = looking.execute("SELECT id FROM inbox_item WHERE platform = 'telegram' AND done_at IS NULL "
                               "LIMIT 1").fetchone()
        return bool(stats["left"] == 0 and left is None)

    try:
        await bench_post(http, f"{api_url}/bench/push", [fake_tg.message_update(f"/log {TALK}")])
        activity = await newest_activity(db)
        await bench_post(http, f"{api_url}/bench/push", [fake_tg.message_update(f"/feedback {activity}")])
        card = await card_of(db, "telegram")
        yield int(card.message_id or 0), Progress(stored, settled, counts_redeliveries=False)
    finally:
        looking.close()
        stop.set()
        await asyncio.wait_for(task, 30)


async def measure_telegram(args: argparse.Namespace, db: Database, number: int) -> dict[str, Any]:
    """Both up at once, each polling its own fake Bot API, loaded in turn (``--slices`` alternating loads)."""
    latency = ("--latency-ms", str(args.telegram_latency_ms))
    totals = {which: {"events": 0, "elapsed": 0.0, "cpu": 0.0, "all_events": 0} for which in ("bare", "ours")}
    expected: dict[str, int] = {}
    async with (aiohttp.ClientSession() as http, Service("telegram", *latency) as bare_fake,
                Service("telegram", *latency) as our_fake, ptb_polling(bare_fake.url, http) as bare,
                telegram_door(our_fake.url, http, db) as ours):
        fakes, paths = {"bare": bare_fake.url, "ours": our_fake.url}, {"bare": bare, "ours": ours}
        people = max(64, args.people // args.slices)
        for which in ("bare", "ours"):  # warm-up
            message_id, progress = paths[which]
            warm, _ = await timed_load(http, fakes[which], load_spec(message_id, 1, people // 4, 7), progress)
            if which == "ours":
                expected |= warm["expected"]
        for n in range(args.slices):
            for which in ("bare", "ours") if (n + number) % 2 else ("ours", "bare"):
                message_id, progress = paths[which]
                spec = load_spec(message_id, 1_000_000 * (n + 1), people, 100 + n)
                cpu = time.process_time()
                load, elapsed = await timed_load(http, fakes[which], spec, progress)
                totals[which]["cpu"] += time.process_time() - cpu
                totals[which]["all_events"] += load["updates"]
                totals[which]["events"] += load["updates"]
                totals[which]["elapsed"] += elapsed
                if which == "ours":
                    expected |= load["expected"]
        redelivered = (await bench_stats(http, our_fake.url))["redelivered"]
    with db.reader() as session:
        card_id = session.scalar(select(FeedbackCard.id).where(FeedbackCard.platform == "telegram"))
    ok = check("Telegram door", expected, votes_on(db, int(card_id or 0)))
    return {"bare": totals["bare"], "ours": totals["ours"], "ok": ok, "redelivered": redelivered}


# --- the database's ceiling ----------------------------------------------------------------------------------


def sqlite_ceiling(db: Database, seconds: float = 2.0) -> tuple[float, float]:
    """Events/s as single-event transactions and as batches of 100, with the project's engine and pragmas."""
    table = ProcessedEvent.__table__  # type: ignore[attr-defined]
    counter = iter(range(10**9))

    def rows(n: int) -> list[dict[str, Any]]:
        return [{"platform": "ceiling", "event_id": f"c{next(counter)}", "created_at": fake_now()}
                for _ in range(n)]

    rates = []
    for per_transaction in (1, 100):
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            with db.engine.begin() as conn:
                conn.execute(insert(table), rows(per_transaction))
            done += per_transaction
        rates.append(done / (time.perf_counter() - start))
    return rates[0], rates[1]


VOTES_PER_BATCH = 24  # about the writer's batches under the Slack load (64 people in flight)


def vote_statements_floor(db: Database, synchronous: str, votes: int = 4_800) -> float:
    """CPU µs per vote of the statements a new voter's reaction runs (dedupe mark, order claim, present choices,
    vote, member, interaction: the SQL and arguments the door sends, prepared beforehand) on a bare sqlite3
    connection with the project's pragmas, in transactions of :data:`VOTES_PER_BATCH` — what the database itself
    costs a vote, beside the writer's CPU per event in the Slack row. Foreign keys off (no card to point at):
    a floor, slightly under what the checks add."""
    from storage.community.members import _NOTE_MEMBER, _SQLITE_INTERACTION, InteractionKind, card_subject
    from storage.events import _MARK
    from storage.feedback.order import _PRESENT, _claim
    from storage.feedback.votes import upsert_vote_statement

    dialect = db.engine.dialect
    now = fake_now()
    stale = now - timedelta(days=1)
    script: list[tuple[str, Any]] = []
    for n in range(votes):
        user = f"UFLOOR{n:07d}"
        voter = f"slack:{user}"
        script += [
            _MARK["sqlite"].prepared(dialect, {"platform": "slack", "event_id": f"EvF{n}", "created_at": now}),
            _claim("sqlite").prepared(dialect, {"card_id": 1, "voter": voter, "choice": "🔥", "present": True,
                                                "stamp": n, "seen_at": now, "stale_before": stale}),
            _PRESENT.prepared(dialect, {"card_id": 1, "voter": voter, "stale_before": stale}),
            upsert_vote_statement("sqlite").prepared(dialect, {"card_id": 1, "team_id": 1, "scale": "rating",
                                                              "voter": voter, "score": 5, "emoji": "🔥",
                                                              "cast_at": now}),
            _NOTE_MEMBER["sqlite"].prepared(dialect, {"team_id": 1, "platform": "slack", "user_id": user,
                                                      "display_name": user, "now": now}),
            # a fresh table numbers its members 1, 2, … in the order they come
            _SQLITE_INTERACTION.prepared(dialect, {"member_id": n + 1, "team_id": 1,
                                                   "kind": InteractionKind.REACTION.value,
                                                   "subject": card_subject(1), "activity_id": 1, "now": now}),
        ]
    per_vote = len(script) // votes
    connection = sqlite3.connect(db.engine.url.database or "", isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(f"PRAGMA synchronous={synchronous}")
        cursor = connection.cursor()
        started = time.thread_time()
        for first in range(0, votes, VOTES_PER_BATCH):
            cursor.execute("BEGIN IMMEDIATE")
            for sql, arguments in script[first * per_vote:(first + VOTES_PER_BATCH) * per_vote]:
                cursor.execute(sql, arguments).fetchall()
            cursor.execute("COMMIT")
        cpu = time.thread_time() - started
        stored = connection.execute("SELECT count(*) FROM interaction JOIN community_member m ON m.id = member_id "
                                    "JOIN vote ON vote.voter = 'slack:' || m.user_id").fetchone()[0]
    finally:
        connection.close()
    if stored != votes:
        raise SystemExit(f"the vote floor stored {stored} of {votes} votes")
    return 1e6 * cpu / votes


def fake_now() -> Any:
    from storage.models import utcnow

    return utcnow()


# --- running -------------------------------------------------------------------------------------------------


def cpu_per_event(result: dict[str, Any]) -> float:
    """This process's CPU time (every thread: the event loop, the writer, the library) per event handled while
    the path was loaded, in µs — far less sensitive to the shared machine's load than events/s."""
    return 1e6 * float(result["cpu"]) / max(1, int(result["all_events"]))


def rate(result: dict[str, Any]) -> float:
    if "elapsed" in result:
        return float(result["events"]) / float(result["elapsed"])
    return float(result["events"]) / float(result["window"])


async def one_round(number: int, args: argparse.Namespace, databases: FreshDatabases) -> dict[str, float]:
    print(f"round {number}:")
    results: dict[str, float] = {}
    if "slack" in args.paths:
        results |= await slack_round(number, args, databases)
    if "telegram" in args.paths:
        results |= await telegram_round(number, args, databases)
    if "sqlite" in args.paths:
        results |= sqlite_round(databases)
    return results


async def slack_round(number: int, args: argparse.Namespace, databases: FreshDatabases) -> dict[str, float]:
    db = databases.fresh()
    try:
        slack = await measure_slack(args, db, number)
    finally:
        db.dispose()
    bare_slack, our_slack = rate(slack["bare"]), rate(slack["ours"])
    print(f"    Slack HTTP  bare bolt, no-op listener {bare_slack:8.0f} events/s   ({slack['bare']['failed']} not 200)")
    print(f"                the Slack door (durable)  {our_slack:8.0f} events/s   ({slack['ours']['failed']} not 200; "
          f"{slack['ours']['redelivered']} redelivered ids)")
    slack_ratio = our_slack / bare_slack
    bare_cpu, our_cpu = cpu_per_event(slack["bare"]), cpu_per_event(slack["ours"])
    writer_cpu = 1e6 * slack["ours"]["writer_cpu"] / max(1, slack["ours"]["all_events"])
    print(f"                CPU per event: bare bolt {bare_cpu:6.0f} µs, the door {our_cpu:6.0f} µs "
          f"({our_cpu / bare_cpu:.2f}x; its writer's thread {writer_cpu:.0f} µs of it)")
    print(f"                ratio {slack_ratio:.2f}x  (target ≥ {SLACK_RATIO_TARGET}x: "
          f"{'met' if slack_ratio >= SLACK_RATIO_TARGET else 'NOT met'}; ≥ {SLACK_TARGET:,}/s: "
          f"{'met' if our_slack >= SLACK_TARGET else 'NOT met'})")
    if not slack["ok"]:
        raise SystemExit("votes in the database differ from the votes sent")
    return {"slack_ratio": slack_ratio, "slack": our_slack, "bolt": bare_slack, "bolt_cpu": bare_cpu,
            "slack_cpu": our_cpu, "writer_cpu": writer_cpu}


async def telegram_round(number: int, args: argparse.Namespace, databases: FreshDatabases) -> dict[str, float]:
    db = databases.fresh()
    try:
        telegram = await measure_telegram(args, db, number)
    finally:
        db.dispose()
    bare_tg, our_tg = rate(telegram["bare"]), rate(telegram["ours"])
    print(f"    Telegram    PTB polling, no-op handler {bare_tg:8.0f} updates/s")
    print(f"                the Telegram door (inbox)  {our_tg:8.0f} updates/s   "
          f"({telegram['redelivered']} redelivered)")
    bare_tg_cpu, our_tg_cpu = cpu_per_event(telegram["bare"]), cpu_per_event(telegram["ours"])
    print(f"                CPU per update: PTB {bare_tg_cpu:6.0f} µs, the door {our_tg_cpu:6.0f} µs "
          f"({our_tg_cpu / bare_tg_cpu:.2f}x)")
    print(f"                ratio {our_tg / bare_tg:.2f}x  (target ≥ {TELEGRAM_TARGET:,}/s: "
          f"{'met' if our_tg >= TELEGRAM_TARGET else 'NOT met'})")
    if not telegram["ok"]:
        raise SystemExit("votes in the database differ from the votes sent")
    return {"telegram": our_tg, "ptb": bare_tg, "ptb_cpu": bare_tg_cpu, "telegram_cpu": our_tg_cpu,
            "telegram_ratio": our_tg / bare_tg}


def sqlite_round(databases: FreshDatabases) -> dict[str, float]:
    ceiling: dict[str, tuple[float, float]] = {}
    for synchronous in ("NORMAL", "FULL"):
        db = databases.fresh(synchronous)
        try:
            ceiling[synchronous] = sqlite_ceiling(db)
        finally:
            db.dispose()
        single, batched = ceiling[synchronous]
        print(f"    SQLite      project pragmas, synchronous={synchronous:<6}: {single:8.0f} single-event "
              f"transactions/s, {batched:8.0f} events/s in batches of 100")
    db = databases.fresh()
    try:
        floor = vote_statements_floor(db, databases.synchronous)
    finally:
        db.dispose()
    print(f"                a new voter's reaction: its six statements on bare sqlite3, {VOTES_PER_BATCH} votes a "
          f"transaction (synchronous={databases.synchronous}): {floor:.0f} µs CPU per vote")
    single, batched = ceiling[databases.synchronous]
    return {"sqlite1": single, "sqlite100": batched, "vote_floor": floor}


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        databases = FreshDatabases(Path(folder), args.sqlite_synchronous)
        print(f"the doors on SQLite with synchronous={args.sqlite_synchronous}; Slack Web API latency "
              f"~{args.slack_latency_ms:g} ms, Bot API latency ~{args.telegram_latency_ms:g} ms")
        rounds = [await one_round(n, args, databases) for n in range(1, args.rounds + 1)]
    print(f"medians of {len(rounds)} rounds:")
    for key, label in (("bolt", "bare bolt"), ("slack", "Slack door"), ("slack_ratio", "Slack ratio"),
                       ("bolt_cpu", "bolt µs/event"), ("slack_cpu", "door µs/event"),
                       ("writer_cpu", "writer µs/event"),
                       ("ptb", "PTB polling"), ("telegram", "Telegram door"), ("telegram_ratio", "Telegram ratio"),
                       ("ptb_cpu", "PTB µs/update"), ("telegram_cpu", "door µs/update"),
                       ("sqlite1", "SQLite 1/txn"),
                       ("sqlite100", "SQLite 100/txn"), ("vote_floor", "vote floor µs")):
        if key in rounds[0]:
            print(f"    {label:<15} {statistics.median(r[key] for r in rounds):10.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--paths", nargs="+", choices=["slack", "telegram", "sqlite"],
                        default=["slack", "telegram", "sqlite"],
                        help="which comparisons to run (default: all; each is measured the same way alone)")
    parser.add_argument("--slices", type=int, default=4, help="alternating loads per door and round")
    parser.add_argument("--seconds", type=float, default=5.0, help="Slack: the measured window of one slice")
    parser.add_argument("--warmup", type=float, default=2.0, help="Slack: load before a slice's window opens")
    parser.add_argument("--concurrency", type=int, default=64, help="Slack: people (requests) in flight")
    parser.add_argument("--people", type=int, default=12_000, help="Telegram: people per door and round")
    parser.add_argument("--slack-latency-ms", type=float, default=80.0, help="the fake Web API's typical latency")
    parser.add_argument("--telegram-latency-ms", type=float, default=20.0, help="the fake Bot API's typical latency")
    parser.add_argument("--sqlite-synchronous", choices=["FULL", "NORMAL"], default=DEFAULT_SQLITE_SYNCHRONOUS,
                        help="the doors' SQLite setting (default: the bot's own)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
