"""Reaction ingest: emoji reactions on a feedback card, sustained, through the real doors —

  (a) signed Slack ``reaction_added`` / ``reaction_removed`` events POSTed to the Slack door's HTTP endpoint
      (the AsyncApp in HTTP mode on a loopback port, Web API calls answered by the local fake), from an aiohttp
      client with a bounded number of requests in flight, and
  (b) Telegram ``message_reaction`` updates through python-telegram-bot's ``Application.process_update``
      (the door's application, initialised against the local fake Bot API; no polling).

    .venv/bin/python bench/bench_reactions.py [--seconds 60] [--concurrency 32] [--postgres URL]

Each door first posts a card (``/log`` then ``/rate`` or ``/feedback``), so that reactions on it are votes.
Then, for ``--seconds`` each, many distinct people react: most vote once, some change their vote, some take
it back; a few of the withdrawn votes are followed by a redelivery of their first event (the same Slack
event id, the same Telegram update id), which the doors' dedupe must drop. One person's events go in order
(the next once the previous one was handled, as one person's clicks are); many people are in flight at once.

At the end the votes in the database are compared, exactly, with the votes expected from what was sent: none
lost, none counted twice (a redelivered event that got through would bring a withdrawn vote back). Printed:
events/s per door against the targets (Slack ≥ 1,000/s, Telegram ≥ 3,000/s, on SQLite). PostgreSQL is run too
when ``--postgres URL`` or ``DEVRELBOT_TEST_POSTGRES_URL`` is given (in a schema of its own, dropped after).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from databases import benchmark_databases  # bench/databases.py, beside this file
from sqlmodel import func, select

import handlers  # noqa: F401  (registers the commands and the feedback event handlers)
from bot.settings import Settings
from handlers.router import Router
from storage.db import Database
from storage.feedback.emoji_map import DEFAULT_EMOJI_MAP
from storage.models import Activity, FeedbackCard, ProcessedEvent, Vote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the fakes live in tests/
from tests.fakes import slack_api as fake_slack  # noqa: E402
from tests.fakes import telegram_api as fake_tg  # noqa: E402

TALK = 'talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300'
SLACK_TARGET, TELEGRAM_TARGET = 1_000, 3_000
SLACK_CHANNEL = "C0GENERAL"
# Slack names and Telegram emoji of the default map (🔥=5 👍=4 😐=3 👎=1), plus one that is not a vote.
SLACK_NAMES = {"fire": "🔥", "+1": "👍", "neutral_face": "😐", "-1": "👎", "tada": "🎉"}
TG_EMOJI = ["🔥", "👍", "😐", "👎", "🎉"]


# --- what people do, and what it must leave in the database ---------------------------------------------


@dataclass
class Step:
    """One delivery: an emoji added or removed (Slack), or the old → new set (Telegram). ``replay_of`` is the
    index of an earlier step of the same person delivered again under the same id (it must change nothing)."""

    added: str | None = None
    removed: str | None = None
    replay_of: int | None = None


def script(rng: random.Random, emoji: list[str]) -> list[Step]:
    """One person's reactions: vote (60 %), change (20 %), withdraw (10 %), withdraw then a redelivery of the
    first event (2 %), a reaction that is not a vote (8 %)."""
    first, second = rng.sample(emoji[:4], 2)
    roll = rng.random()
    if roll < 0.60:
        return [Step(added=first)]
    if roll < 0.80:
        return [Step(added=first), Step(added=second, removed=first)]
    if roll < 0.90:
        return [Step(added=first), Step(removed=first)]
    if roll < 0.92:
        return [Step(added=first), Step(removed=first), Step(replay_of=0)]
    return [Step(added=emoji[4])]


def expected_vote(steps: list[Step]) -> str | None:
    """The emoji the person's vote stands on at the end (None: no vote). Replays change nothing."""
    vote: str | None = None
    for step in steps:
        if step.replay_of is not None:
            continue
        if step.removed is not None and vote == step.removed:
            vote = None
        if step.added is not None and step.added in DEFAULT_EMOJI_MAP:
            vote = step.added
    return vote


@dataclass
class Ledger:
    """What was sent: expected votes by voter key, events and replays delivered, and when."""

    expected: dict[str, int] = field(default_factory=dict)
    events: int = 0
    replays: int = 0
    people: int = 0

    def person(self, voter: str, steps: list[Step]) -> None:
        self.people += 1
        vote = expected_vote(steps)
        if vote is not None:
            self.expected[voter] = DEFAULT_EMOJI_MAP[vote]


class Done:
    """Futures the instrumented router resolves (from its worker thread) once an event was handled or dropped
    as a repeat: the bench waits on them to keep one person's events in order."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.waiting: dict[str, asyncio.Future[bool]] = {}

    def expect(self, key: str) -> asyncio.Future[bool]:
        future = self.waiting[key] = self.loop.create_future()
        return future

    def resolve(self, key: str | None, handled: bool) -> None:
        if key is None:
            return

        def set_result() -> None:
            future = self.waiting.pop(key, None)
            if future is not None and not future.done():
                future.set_result(handled)

        self.loop.call_soon_threadsafe(set_result)


async def sustain(seconds: float, lanes: int, person: Callable[[int], Any]) -> tuple[int, float]:
    """Run ``person(i)`` for i = 0, 1, … in ``lanes`` concurrent lanes until ``seconds`` are up; returns the
    number of people and the elapsed time (until the last one's last event was handled)."""
    counter = itertools.count()
    start = time.perf_counter()
    deadline = start + seconds

    async def lane() -> None:
        while time.perf_counter() < deadline:
            await person(next(counter))

    await asyncio.gather(*(lane() for _ in range(lanes)))
    return next(counter), time.perf_counter() - start


def processed_count(db: Database, platform: str) -> int:
    """Delivery ids the door recorded as handled: deliveries minus these were dropped as repeats."""
    with db.session() as session:
        query = select(func.count()).select_from(ProcessedEvent).where(ProcessedEvent.platform == platform)
        return int(session.exec(query).one())


def database_votes(db: Database, card_id: int) -> dict[str, int]:
    with db.session() as session:
        return {v.voter: v.score for v in session.exec(select(Vote).where(Vote.card_id == card_id))}


def verdict(label: str, ledger: Ledger, elapsed: float, target: int, found: dict[str, int], dropped: int) -> bool:
    rate = ledger.events / elapsed
    lost = sorted(v for v in ledger.expected if v not in found)
    wrong = sorted(v for v in ledger.expected if v in found and found[v] != ledger.expected[v])
    extra = sorted(v for v in found if v not in ledger.expected)
    met = "met" if rate >= target else "NOT met"
    print(f"  {label:<40} {ledger.events:>7} events in {elapsed:5.1f} s = {rate:7.0f} events/s"
          f"   (target ≥ {target:,}/s: {met})")
    print(f"    {ledger.people} people, {len(ledger.expected)} votes expected, {len(found)} in the database; "
          f"lost {len(lost)}, wrong score {len(wrong)}, counted but withdrawn {len(extra)}; "
          f"{ledger.replays} redelivered ids, {dropped} dropped as repeats")
    ok = not lost and not wrong and not extra and dropped == ledger.replays
    if not ok:
        print(f"    MISMATCH: lost {lost[:5]} wrong {wrong[:5]} extra {extra[:5]}")
    return ok


class TrackingRouter(Router):
    """The real router; it only tells the bench when an event was handled or dropped as a repeat (the Slack
    door acks first and handles the event after, in the background)."""

    done: Done | None = None

    def handle_event(self, event: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().handle_event(event, *args, **kwargs)
        finally:
            if self.done is not None:
                self.done.resolve(getattr(event, "event_id", None), True)


# --- (a) Slack over HTTP -----------------------------------------------------------------------------------


async def bench_slack(db: Database, seconds: float, concurrency: int, seed: int) -> bool:
    from bot.slack import SlackDoor

    api = fake_slack.FakeSlackAPI()
    await api.start()
    router = TrackingRouter(db, default_timezone="UTC")
    settings = Settings(_env_file=None, slack_bot_token=fake_slack.BOT_TOKEN,  # type: ignore[call-arg]
                        slack_signing_secret=fake_slack.SIGNING_SECRET, slack_api_base_url=api.api_url)
    door = SlackDoor(settings, router, host="127.0.0.1", port=0)
    stop = asyncio.Event()
    task = asyncio.create_task(door.run(stop))
    await asyncio.wait_for(door.ready.wait(), 10)
    done = router.done = Done(asyncio.get_running_loop())
    url = f"http://127.0.0.1:{door.bound_port}/slack/events"
    connector = aiohttp.TCPConnector(limit=concurrency)
    try:
        async with aiohttp.ClientSession(connector=connector) as http:
            client = fake_slack.SlackClient(url, api, http)
            await client.command("/log", TALK)
            await api.wait_for("chat.postMessage")  # answered in the background, after the ack
            await client.command("/rate", str(newest_activity(db)))
            card = await wait_for_card(db, "slack")
            marked = processed_count(db, "slack")
            rng = random.Random(seed)
            ledger = Ledger()
            names = {emoji: name for name, emoji in SLACK_NAMES.items()}
            ids = itertools.count(1)

            async def deliver(body: str, event_id: str) -> None:
                handled = done.expect(event_id)
                headers = {"Content-Type": "application/json", **fake_slack.sign(body)}
                async with http.post(url, data=body.encode(), headers=headers) as response:
                    await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"the Slack door answered {response.status}")
                await asyncio.wait_for(handled, 30)

            def envelope(kind: str, emoji: str, user: str, event_id: str) -> str:
                event = {"type": kind, "user": user, "reaction": names[emoji], "event_ts": f"{time.time():.6f}",
                         "item": {"type": "message", "channel": SLACK_CHANNEL, "ts": card.message_id},
                         "item_user": fake_slack.BOT_USER_ID}
                return json.dumps({
                    "token": "legacy", "team_id": fake_slack.TEAM_ID, "api_app_id": "A0APP", "event": event,
                    "type": "event_callback", "event_id": event_id, "event_time": int(time.time()),
                    "authorizations": [{"team_id": fake_slack.TEAM_ID, "user_id": fake_slack.BOT_USER_ID,
                                        "is_bot": True}],
                })

            async def person(i: int) -> None:
                user = f"UB{i:07d}"
                steps = script(rng, list(names))
                sent: list[tuple[str, str]] = []  # (body, event id) per step
                for step in steps:
                    if step.replay_of is not None:
                        body, event_id = sent[step.replay_of]
                        ledger.replays += 1
                        ledger.events += 1
                        await deliver(body, event_id)
                        continue
                    # A changed vote on Slack: the new reaction is added, then the old one removed.
                    for kind, emoji in (("reaction_added", step.added), ("reaction_removed", step.removed)):
                        if emoji is None:
                            continue
                        event_id = f"Ev{next(ids):010d}"
                        body = envelope(kind, emoji, user, event_id)
                        sent.append((body, event_id))
                        ledger.events += 1
                        await deliver(body, event_id)
                ledger.person(f"slack:{user}", steps)

            _people, elapsed = await sustain(seconds, concurrency, person)
        dropped = ledger.events - (processed_count(db, "slack") - marked)
        return verdict("(a) Slack HTTP reaction events", ledger, elapsed, SLACK_TARGET,
                       database_votes(db, card.id), dropped)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        await api.stop()


def newest_activity(db: Database) -> int:
    with db.session() as session:
        return int(session.exec(select(func.max(Activity.id))).one() or 0)


async def wait_for_card(db: Database, platform: str) -> FeedbackCard:
    for _ in range(500):
        with db.session() as session:
            card = session.exec(select(FeedbackCard).where(FeedbackCard.platform == platform)).first()
        if card is not None and card.message_id is not None:
            return card
        await asyncio.sleep(0.01)
    raise RuntimeError(f"no {platform} feedback card was posted")


# --- (b) Telegram through process_update ----------------------------------------------------------------


async def bench_telegram(db: Database, seconds: float, concurrency: int, seed: int) -> bool:
    from telegram import Update

    from bot.settings import load_settings
    from bot.telegram.door import TelegramDoor

    api = fake_tg.FakeBotApi()
    await api.start()
    router = TrackingRouter(db, default_timezone="UTC")
    settings = load_settings(_env_file=None, telegram_bot_token=fake_tg.TOKEN, telegram_api_base_url=api.base_url)
    door = TelegramDoor(settings, router)
    app = door.build_application()
    await app.initialize()  # getMe, from the fake
    door.attach(app)  # what door.run does before polling
    update_ids = itertools.count(1)
    try:
        for line in (f"/log {TALK}", "/feedback {id}"):
            update = fake_tg.message_update(line.format(id=newest_activity(db)))
            update["update_id"] = next(update_ids)
            await app.process_update(Update.de_json(update, app.bot))
        card = await wait_for_card(db, "telegram")
        rng = random.Random(seed)
        ledger = Ledger()
        marked = processed_count(db, "telegram")
        chat = fake_tg.tg_chat(fake_tg.GROUP_ID)

        async def person(i: int) -> None:
            user = fake_tg.tg_user(2_000_000 + i, f"p{i}")
            steps = script(rng, TG_EMOJI)
            sent: list[dict[str, Any]] = []
            current: list[str] = []
            for step in steps:
                if step.replay_of is not None:
                    update = sent[step.replay_of]
                    ledger.replays += 1
                else:
                    old = list(current)
                    current = [e for e in current if e != step.removed] + ([step.added] if step.added else [])
                    update = {"update_id": next(update_ids), "message_reaction": {
                        "chat": chat, "message_id": int(card.message_id or 0), "user": user, "date": int(time.time()),
                        "old_reaction": [{"type": "emoji", "emoji": e} for e in old],
                        "new_reaction": [{"type": "emoji", "emoji": e} for e in current],
                    }}
                    sent.append(update)
                ledger.events += 1
                await app.process_update(Update.de_json(update, app.bot))  # returns once it was handled
            ledger.person(f"telegram:{user['id']}", steps)

        _people, elapsed = await sustain(seconds, concurrency, person)
        dropped = ledger.events - (processed_count(db, "telegram") - marked)
        return verdict("(b) Telegram message_reaction updates", ledger, elapsed, TELEGRAM_TARGET,
                       database_votes(db, card.id), dropped)
    finally:
        door.messenger.attach(None)
        await app.shutdown()
        await api.close()


# --- running -----------------------------------------------------------------------------------------------


def measure(db: Database, label: str, seconds: float, concurrency: int) -> bool:
    print(f"{label}: {seconds:g} s per door, {concurrency} people in flight")
    ok = asyncio.run(bench_slack(db, seconds, concurrency, seed=1))
    ok = asyncio.run(bench_telegram(db, seconds, concurrency, seed=2)) and ok
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long each door is fed (default 60)")
    parser.add_argument("--concurrency", type=int, default=32, help="people (and Slack requests) in flight")
    parser.add_argument("--postgres", default=os.environ.get("DEVRELBOT_TEST_POSTGRES_URL"),
                        help="a PostgreSQL URL (default: $DEVRELBOT_TEST_POSTGRES_URL); SQLite only without it")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    ok = True
    for label, db in benchmark_databases(args.postgres, sqlite_label="SQLite (file, WAL)"):
        ok = measure(db, label, args.seconds, args.concurrency) and ok
    if not ok:
        raise SystemExit("votes in the database differ from the votes sent")


if __name__ == "__main__":
    main()
