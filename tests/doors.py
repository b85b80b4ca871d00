"""The real doors against the local fakes (``tests/fakes``), shared by the tests of bot/, faults and security:
build a door pointed at its fake, run it as ``devrelbot run`` does, talk to it, wait for what it does in the
background, and read what it stored. The fakes' fixtures (``slack_api``, ``fake_telegram``) are registered in
``tests/conftest.py``."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol, TypeVar

import aiohttp
from sqlmodel import col, select

from bot.settings import Settings, load_settings
from bot.slack import SlackDoor
from bot.telegram.door import TelegramDoor
from handlers.router import Router
from storage.db import Database
from storage.models import Activity, FeedbackCard, InboxItem, Vote
from tests.fakes.slack_api import BOT_TOKEN, SIGNING_SECRET, FakeSlackAPI, SlackClient
from tests.fakes.telegram_api import TOKEN, FakeBotApi


class Door(Protocol):
    ready: asyncio.Event

    async def run(self, stop: asyncio.Event) -> None: ...


D = TypeVar("D", bound=Door)


def slack_settings(api: FakeSlackAPI, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_base_url": api.api_url,
        **overrides,
    }
    return load_settings(_env_file=None, **values)


def make_slack_door(api: FakeSlackAPI, router: Router, **settings: Any) -> SlackDoor:
    """The Slack door in HTTP mode on a free loopback port (``bound_port`` once it runs)."""
    return SlackDoor(slack_settings(api, **settings), router, host="127.0.0.1", port=0)


def make_telegram_door(fake: FakeBotApi, router: Router, **options: Any) -> TelegramDoor:
    """The Telegram door against the fake Bot API; ``settings={...}`` overrides settings, the rest are the
    door's own options."""
    settings = load_settings(
        _env_file=None, telegram_bot_token=TOKEN, telegram_api_base_url=fake.base_url, **options.pop("settings", {})
    )
    return TelegramDoor(settings, router, poll_timeout=1.0, **options)


@contextlib.asynccontextmanager
async def running(door: D) -> AsyncIterator[D]:
    """Run the door as ``devrelbot run`` does until the block ends, then stop it cleanly; a door that cannot
    start raises its start-up error here."""
    stop = asyncio.Event()
    task = asyncio.create_task(door.run(stop))
    ready = asyncio.create_task(door.ready.wait())
    await asyncio.wait({task, ready}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        ready.cancel()
        task.result()
    assert door.ready.is_set(), f"the {type(door).__name__} did not start"
    try:
        yield door
    finally:
        ready.cancel()
        stop.set()
        await asyncio.wait_for(task, timeout=10)


@contextlib.asynccontextmanager
async def slack_client(door: SlackDoor, api: FakeSlackAPI) -> AsyncIterator[SlackClient]:
    """Requests to the running Slack door, signed as Slack signs them."""
    async with aiohttp.ClientSession() as session:
        yield SlackClient(f"http://127.0.0.1:{door.bound_port}/slack/events", api, session)


async def eventually(check: Callable[[], object], *, timeout: float = 5.0) -> None:
    """Bounded wait for what a door does after it answered (not a schedule: a condition, polled briefly)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def activities(db: Database) -> list[Activity]:
    with db.session() as s:
        return list(s.exec(select(Activity).order_by(col(Activity.id))))


def plan_rows(db: Database) -> list[tuple[str, str, str]]:
    """Each activity's kind, title and due date (ISO), in the order they were stored."""
    with db.session() as s:
        return [(a.kind, a.title, str(a.due_date)) for a in s.exec(select(Activity).order_by(col(Activity.id)))]


def cards(db: Database) -> list[FeedbackCard]:
    with db.session() as s:
        return list(s.exec(select(FeedbackCard).order_by(col(FeedbackCard.id))))


def votes(db: Database) -> dict[str, int]:
    """Each voter's score, across cards."""
    with db.session() as s:
        return {v.voter: v.score for v in s.exec(select(Vote))}


def titles(db: Database) -> collections.Counter[str]:
    """How many activities carry each title: a command applied twice shows up as a 2."""
    with db.reader() as s:
        return collections.Counter(a.title for a in s.exec(select(Activity)))


def pending(db: Database) -> int:
    """Inbox rows of any door not handled yet."""
    with db.reader() as s:
        return len(s.exec(select(InboxItem.id).where(col(InboxItem.done_at).is_(None))).all())
