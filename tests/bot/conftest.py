"""The doors running against the local fakes, as fixtures: ``telegram_door`` (polling ``fake_telegram``) and
``slack_door`` (HTTP mode against ``slack_api``, with ``slack``: signed requests to it)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.slack import SlackDoor
from bot.telegram.door import TelegramDoor
from handlers.router import Router
from storage.db import Database
from tests.bot.slack_support import Recorder, build_registry
from tests.conftest import Clock
from tests.doors import make_slack_door, make_telegram_door, running, slack_client
from tests.fakes.slack_api import FakeSlackAPI, SlackClient
from tests.fakes.telegram_api import FakeBotApi


@pytest.fixture
async def telegram_door(fake_telegram: FakeBotApi, router: Router) -> AsyncIterator[TelegramDoor]:
    async with running(make_telegram_door(fake_telegram, router)) as door:
        yield door


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def slack_router(db: Database, clock: Clock, recorder: Recorder) -> Router:
    """Every real command, plus a reaction recorder and /chart (see ``slack_support``)."""
    return Router(db, commands=build_registry(recorder), default_timezone="UTC", clock=clock)


@pytest.fixture
async def slack_door(slack_api: FakeSlackAPI, slack_router: Router) -> AsyncIterator[SlackDoor]:
    async with running(make_slack_door(slack_api, slack_router)) as door:
        yield door


@pytest.fixture
async def slack(slack_door: SlackDoor, slack_api: FakeSlackAPI) -> AsyncIterator[SlackClient]:
    async with slack_client(slack_door, slack_api) as client:
        yield client
