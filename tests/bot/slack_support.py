"""Fixtures for the Slack door tests: the real door (AsyncApp over aiohttp, port 0) against the fake Web API,
with a registry that also records reactions and offers a command that answers with a chart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp
import pytest

from bot.settings import Settings
from bot.slack import SlackDoor
from handlers.core import Image, ReactionEvent, Reply
from handlers.router import EventRequest, Registry, Request, Router, registry
from storage.db import Database
from tests.fakes.slack_api import BOT_TOKEN, SIGNING_SECRET, FakeSlackAPI, SlackClient

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass
class Recorder:
    reactions: list[ReactionEvent] = field(default_factory=list)


def build_registry(recorder: Recorder) -> Registry:
    """Every real command, plus a reaction recorder and /chart (a reply with an image)."""
    commands = Registry()
    for c in registry.all():
        commands.command(
            c.name, summary=c.summary, usage=c.usage, examples=c.examples, admin_only=c.admin_only, details=c.details
        )(c.handler)

    @commands.command("chart", summary="A test chart", usage="/chart")
    def chart(req: Request) -> Reply:
        return Reply("*Reach* this week", image=Image("reach.png", PNG))

    @commands.on(ReactionEvent)
    def record(req: EventRequest) -> None:
        assert isinstance(req.event, ReactionEvent)
        recorder.reactions.append(req.event)

    return commands


def slack_settings(api: FakeSlackAPI, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_base_url": api.api_url,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def slack_router(db: Database, clock, recorder: Recorder) -> Router:  # type: ignore[no-untyped-def]
    return Router(db, commands=build_registry(recorder), default_timezone="UTC", clock=clock)


@pytest.fixture
async def door(slack_api: FakeSlackAPI, slack_router: Router) -> AsyncIterator[SlackDoor]:
    """The Slack door in HTTP mode, serving on a free loopback port until the test ends."""
    the_door = SlackDoor(slack_settings(slack_api), slack_router, host="127.0.0.1", port=0)
    stop = asyncio.Event()
    task = asyncio.create_task(the_door.run(stop))
    ready = asyncio.create_task(the_door.ready.wait())
    done, _ = await asyncio.wait({task, ready}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()  # raise the door's start-up error
    assert ready in done, "the Slack door did not start"
    yield the_door
    stop.set()
    await asyncio.wait_for(task, timeout=10)


@pytest.fixture
async def slack(door: SlackDoor, slack_api: FakeSlackAPI) -> AsyncIterator[SlackClient]:
    async with aiohttp.ClientSession() as session:
        yield SlackClient(f"http://127.0.0.1:{door.bound_port}/slack/events", slack_api, session)
