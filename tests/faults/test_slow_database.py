"""A slow database under load: every slash command Slack got a 200 for, and every update the Telegram webhook
answered 200, is applied exactly once and answered — the acks wait only for the inbox's commit."""

from __future__ import annotations

import asyncio
import collections
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import event

from handlers.router import Router
from storage.db import Database
from tests.conftest import Clock
from tests.doors import eventually, make_slack_door, make_telegram_door, pending, running, slack_client, titles
from tests.fakes.slack_api import FakeSlackAPI, command_payload
from tests.fakes.telegram_api import FakeBotApi, message_update

LOAD = 40
STATEMENT_DELAY = 0.005  # every statement waits this long: a disk or a server under pressure


@pytest.fixture
def slow_db(db: Database) -> Iterator[Database]:
    def delay(*_args: Any) -> None:
        time.sleep(STATEMENT_DELAY)

    event.listen(db.engine, "before_cursor_execute", delay)
    yield db
    event.remove(db.engine, "before_cursor_execute", delay)


def applied(db: Database) -> bool:
    return pending(db) == 0 and sum(titles(db).values()) >= LOAD


async def test_a_slow_database_under_a_slack_load_loses_no_acknowledged_command(
    slack_api: FakeSlackAPI, slow_db: Database, clock: Clock
):
    forms = [urllib.parse.urlencode(command_payload(slack_api, "/log", f'talk "S{n}" @ Conf 2026-11-20',
                                                    channel=("C0ONE", "C0TWO")[n % 2], n=500 + n))
             for n in range(LOAD)]
    async with running(make_slack_door(slack_api, Router(slow_db, clock=clock))) as door, \
            slack_client(door, slack_api) as slack:
        answers = await asyncio.gather(*(slack.post(form, "application/x-www-form-urlencoded") for form in forms))
        assert {a.status for a in answers} == {200}
        await eventually(lambda: applied(slow_db), timeout=60)
        confirmations = await slack_api.wait_for("chat.postMessage", LOAD, timeout=30)
    assert titles(slow_db) == collections.Counter({f"S{n}": 1 for n in range(LOAD)})
    assert all("Logged" in c.params["text"] for c in confirmations)


async def test_a_slow_database_under_a_webhook_load_loses_no_acknowledged_update(
    fake_telegram: FakeBotApi, slow_db: Database, clock: Clock
):
    settings = {"telegram_webhook_url": "https://bot.example.com/tg/hook", "telegram_webhook_secret": "s3cret_TOKEN"}
    door = make_telegram_door(fake_telegram, Router(slow_db, clock=clock), settings=settings,
                              webhook_host="127.0.0.1", webhook_port=0)
    updates = [{"update_id": 3000 + n, **message_update(f'/log talk "S{n}" @ Conf 2026-11-20',
                                                        chat_id=(-1001, -1002)[n % 2])} for n in range(LOAD)]
    async with running(door), aiohttp.ClientSession() as http:
        url = f"http://127.0.0.1:{door.bound_port}/tg/hook"
        answers = await asyncio.gather(*(http.post(url, json=u, headers={"X-Telegram-Bot-Api-Secret-Token":
                                                                          "s3cret_TOKEN"}) for u in updates))
        assert {a.status for a in answers} == {200}
        await eventually(lambda: applied(slow_db), timeout=60)
        await fake_telegram.wait_for("sendMessage", LOAD, timeout=30)
    assert titles(slow_db) == collections.Counter({f"S{n}": 1 for n in range(LOAD)})
