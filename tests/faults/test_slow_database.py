"""A slow database under load: every slash command Slack got a 200 for, and every update the Telegram webhook
answered 200, is applied exactly once and answered — the acks wait only for the inbox's commit. And a Socket Mode
event whose commit outlasts Slack's 3 s is sent again on the live connection: it counts once."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import threading
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import event
from sqlmodel import select

from handlers.router import Router
from storage.db import Database
from storage.models import ProcessedEvent
from tests.conftest import Clock
from tests.doors import (
    eventually,
    make_slack_door,
    make_telegram_door,
    pending,
    running,
    slack_client,
    titles,
    votes,
)
from tests.fakes.slack_api import TEAM_ID, FakeSlackAPI, command_payload, reaction_event
from tests.fakes.telegram_api import FakeBotApi, message_update
from tests.faults.slack_door_process import APP_TOKEN
from tests.faults.test_kill_slack_door import CARD_TS, card_in_the_channel

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


@contextlib.contextmanager
def one_slow_vote(db: Database, seconds: float) -> Iterator[threading.Event]:
    """The next vote's dedupe mark takes ``seconds`` (a disk stalling under the write lock, after the writer's
    batch took its unit up: so it is committed late, not given up). SQLite's statement trace, because a vote's
    statements run on the driver's cursor, below SQLAlchemy's events. The event is set once it was slowed."""
    slowed = threading.Event()

    def trace(sql: str) -> None:
        if not slowed.is_set() and sql.startswith("INSERT") and "processed_event" in sql:
            slowed.set()
            time.sleep(seconds)

    def traced(dbapi_connection: Any, *_args: Any) -> None:
        dbapi_connection.set_trace_callback(trace)

    event.listen(db.engine, "checkout", traced)
    try:
        yield slowed
    finally:
        event.remove(db.engine, "checkout", traced)


async def test_a_socket_mode_event_redelivered_on_the_live_connection_while_the_first_copy_commits_counts_once(
    slack_api: FakeSlackAPI, db: Database, clock: Clock
):
    """Slack sends an event again when its ack has not come within 3 s, over the same connection. Here the first
    copy's commit takes longer than that: the second copy (retry_attempt 1) arrives while the first is still being
    stored. Both are acknowledged — the second once the first has committed — and the vote counts once."""
    card_in_the_channel(db)
    voter = reaction_event("reaction_added", "fire", user="UVOTER", ts=CARD_TS, channel="C0GENERAL")
    envelope = {"envelope_id": "env-slow", "type": "events_api", "accepts_response_payload": False,
                "retry_attempt": 0, "retry_reason": "",
                "payload": {"token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0APP", "event": voter,
                            "type": "event_callback", "event_id": "EvSLOW", "event_time": 1700000100}}
    door = make_slack_door(slack_api, Router(db, clock=clock), slack_app_token=APP_TOKEN, slack_signing_secret=None)
    with one_slow_vote(db, slack_api.socket_ack_timeout + 1.0) as slowed:
        async with running(door):
            await slack_api.deliver([envelope])
            await eventually(lambda: len(slack_api.socket_acked) == 2, timeout=30)
    assert slowed.is_set()

    first, retry = slack_api.sent_envelopes()
    assert (first["envelope_id"], first["retry_attempt"]) == ("env-slow", 0)
    assert (retry["retry_attempt"], retry["retry_reason"]) == (1, "timeout")
    assert retry["payload"]["event_id"] == "EvSLOW"
    assert slack_api.first_envelope(retry["envelope_id"]) == "env-slow"
    assert sorted(slack_api.socket_acked) == sorted([first["envelope_id"], retry["envelope_id"]])
    assert slack_api.socket_failed == [] and slack_api.undelivered == 0
    assert votes(db) == {"slack:UVOTER": 5}
    with db.reader() as session:
        marks = session.exec(select(ProcessedEvent.event_id).where(ProcessedEvent.platform == "slack")).all()
    assert marks == ["EvSLOW"]
