"""A stored command that finds the database away is kept and tried again until it is back (``DurableInbox``);
its sender hears once, a few seconds in, that it is kept — on Telegram and on Slack alike, never once per retry,
and not at all when a retry succeeds quickly. Then the command is applied once."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from bot.inbox import DurableInbox
from handlers.core import Incoming, Reply
from handlers.router import Router
from storage.db import Database
from tests.conftest import Clock
from tests.doors import eventually, make_slack_door, make_telegram_door, running, slack_client, titles
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.telegram_api import FakeBotApi, message_update

NOTICE = "⏳ The ledger is unavailable right now — your command is kept and will be applied when it is back."
LOG = 'talk "Outage talk" @ Conf 2026-11-20 audience=40'
# What still works while the database is "away": the inbox (it took the update before the fault) and the
# statements that open and close transactions.
SPARED = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")


class Outage:
    """Every statement but the inbox's fails as if the database were away, from ``down()`` until ``heal()``."""

    def __init__(self) -> None:
        self.failed = 0
        self._down = False
        self._lock = threading.Lock()

    def down(self) -> None:
        self._down = True

    def heal(self) -> None:
        self._down = False

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        text = statement.lstrip().upper()
        if not self._down or text.startswith(SPARED) or "INBOX_ITEM" in text:
            return
        with self._lock:
            self.failed += 1
        raise OperationalError(statement, {}, sqlite3.OperationalError("unable to open database file"))


@pytest.fixture
def outage(db: Database) -> Iterator[Outage]:
    injected = Outage()
    event.listen(db.engine, "before_cursor_execute", injected)
    yield injected
    event.remove(db.engine, "before_cursor_execute", injected)


def quick(inbox: DurableInbox, *, notice_after: float) -> None:
    inbox.retry_delay, inbox.max_retry_delay, inbox.notice_after = 0.05, 0.1, notice_after


async def test_a_telegram_command_waiting_for_the_database_is_announced_once_then_applied_once(
    fake_telegram: FakeBotApi, db: Database, router: Router, outage: Outage
):
    async with running(make_telegram_door(fake_telegram, router)) as door:
        assert door.intake is not None
        quick(door.intake.inbox, notice_after=0.3)
        outage.down()
        fake_telegram.push(message_update(f"/log {LOG}"))
        (notice,) = await fake_telegram.wait_for("sendMessage")
        retried = outage.failed
        await eventually(lambda: outage.failed >= retried + 5)
        assert len(fake_telegram.sent_texts()) == 1  # still retrying: no second notice
        outage.heal()
        logged = (await fake_telegram.wait_for("sendMessage", 2))[-1]

    assert notice.params["text"] == NOTICE
    assert notice.json("reply_parameters")["message_id"]  # a reply to the person's command
    assert "Logged" in logged.params["text"]
    assert len(fake_telegram.sent_texts()) == 2
    assert titles(db) == {"Outage talk": 1}


async def test_a_telegram_command_whose_retry_succeeds_quickly_gets_no_notice(
    fake_telegram: FakeBotApi, db: Database, router: Router, outage: Outage
):
    async with running(make_telegram_door(fake_telegram, router)) as door:
        assert door.intake is not None
        quick(door.intake.inbox, notice_after=5.0)
        outage.down()
        fake_telegram.push(message_update(f"/log {LOG}"))
        await eventually(lambda: outage.failed >= 1)
        outage.heal()
        (logged,) = await fake_telegram.wait_for("sendMessage")
        await eventually(lambda: door.intake is not None and door.intake.inbox.workers.busy == 0)
        await eventually(lambda: not pending_notices())  # called off with the success, not merely not due yet

    assert "Logged" in logged.params["text"]
    assert fake_telegram.sent_texts() == [logged.params["text"]]
    assert titles(db) == {"Outage talk": 1}


def pending_notices() -> list[asyncio.Task[Any]]:
    """The inbox's timers of notices not sent yet (``DurableInbox`` names them ``notice:<delivery id>``)."""
    return [t for t in asyncio.all_tasks() if t.get_name().startswith("notice:") and not t.done()]


class Away(Router):
    """A Slack process whose database went away after the command was stored, until ``heal``."""

    def __init__(self, db: Database, **kwargs: Any) -> None:
        super().__init__(db, **kwargs)
        self.down, self.tries = True, 0

    def dispatch(self, incoming: Incoming, **kwargs: Any) -> list[Reply]:
        if self.down and kwargs.get("raise_unavailable"):
            self.tries += 1
            raise OperationalError("INSERT", {}, sqlite3.OperationalError("unable to open database file"))
        return super().dispatch(incoming, **kwargs)


async def test_a_slack_command_waiting_for_the_database_is_announced_once_the_same_way(
    slack_api: FakeSlackAPI, db: Database, clock: Clock
):
    away = Away(db, clock=clock)
    async with running(make_slack_door(slack_api, away)) as door, slack_client(door, slack_api) as slack:
        quick(door.listeners.received, notice_after=0.3)
        assert (await slack.command("/log", LOG)).status == 200
        (notice,) = await slack_api.wait_for("response_url")
        tries = away.tries
        await eventually(lambda: away.tries >= tries + 5)
        away.down = False
        (logged,) = await slack_api.wait_for("chat.postMessage")
        await eventually(lambda: door.listeners.received.workers.busy == 0)

    assert notice.params["text"] == NOTICE and notice.params["response_type"] == "ephemeral"
    assert len(slack_api.of("response_url")) == 1
    assert "Logged" in logged.params["text"]
    assert titles(db) == {"Outage talk": 1}
