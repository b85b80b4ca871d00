"""The guided /log lives in the database: with replicas behind a round-robin proxy each answer may land on another
replica, and the dialogue goes on there. Each step commits with the update that made it and the last one with
the /log it stores, so an update that failed on a database fault is handled again from the inbox with the
dialogue as it was, and applied once."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import aiohttp
import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from bot.telegram.door import TelegramDoor
from handlers.router import Router
from storage.db import Database
from tests.conftest import Clock
from tests.doors import activities, make_telegram_door, running, titles
from tests.fakes.telegram_api import FakeBotApi, callback_update, message_update

SECRET = "s3cret_TOKEN"
HOOK = {"telegram_webhook_url": "https://bot.example.com/tg/hook", "telegram_webhook_secret": SECRET}


@asynccontextmanager
async def replicas(fake: FakeBotApi, db: Database, clock: Clock, count: int) -> AsyncIterator[list[TelegramDoor]]:
    """``count`` webhook replicas on one database, each with its own router (as separate processes have)."""
    async with AsyncExitStack() as stack:
        doors = [await stack.enter_async_context(running(make_telegram_door(
            fake, Router(db, clock=clock), settings=HOOK, webhook_host="127.0.0.1", webhook_port=0)))
            for _ in range(count)]
        yield doors


async def post(http: aiohttp.ClientSession, door: TelegramDoor, update: dict[str, Any]) -> None:
    """Telegram's webhook POST, through the proxy to ``door``: answered 200 once stored."""
    async with http.post(f"http://127.0.0.1:{door.bound_port}/tg/hook", json=update,
                         headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as answer:
        assert answer.status == 200


async def test_each_answer_on_another_replica_continues_the_dialogue_and_the_activity_is_stored_once(
    fake_telegram: FakeBotApi, any_db: Database, clock: Clock
):
    update_ids = iter(range(70_000, 70_100))

    def numbered(update: dict[str, Any]) -> dict[str, Any]:
        return {"update_id": next(update_ids), **update}

    async with replicas(fake_telegram, any_db, clock, 2) as (one, two), aiohttp.ClientSession() as http:
        await post(http, one, numbered(message_update("/log")))
        (kind_question,) = await fake_telegram.wait_for("sendMessage")
        await post(http, two, numbered(callback_update(kind_question, "🎤 Talk")))
        assert "Title of the talk" in (await fake_telegram.wait_for("sendMessage", 2))[-1].params["text"]
        await post(http, one, numbered(message_update("Replicas, the talk")))
        assert "Date?" in (await fake_telegram.wait_for("sendMessage", 3))[-1].params["text"]
        await post(http, two, numbered(message_update("20.11.2026")))
        assert "Numbers" in (await fake_telegram.wait_for("sendMessage", 4))[-1].params["text"]
        assert len(one.dialogues.active()) == len(two.dialogues.active()) == 1  # one dialogue, seen by both
        await post(http, one, numbered(message_update("@ HighLoad audience=300")))
        done = (await fake_telegram.wait_for("sendMessage", 5))[-1]

        assert "Logged <b>talk #1</b>" in done.params["text"]
        assert one.dialogues.active() == [] and two.dialogues.active() == []
    (activity,) = activities(any_db)
    assert (activity.title, activity.venue, activity.audience, str(activity.date)) == (
        "Replicas, the talk", "HighLoad", 300, "2026-11-20")


class Faults:
    """The database fails a statement (as if it went away): the first one that matches ``what`` after ``arm``."""

    def __init__(self) -> None:
        self.what: str | None = None
        self.injected: list[str] = []
        self._lock = threading.Lock()

    def arm(self, what: str) -> None:
        self.what = what

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        with self._lock:
            if self.what is None or not statement.lstrip().upper().startswith(self.what.upper()):
                return
            self.injected.append(self.what)
            self.what = None
        raise OperationalError(statement, {}, sqlite3.OperationalError("database is locked"))


@pytest.fixture
def faults(db: Database) -> Iterator[Faults]:
    injected = Faults()
    event.listen(db.engine, "before_cursor_execute", injected)
    yield injected
    event.remove(db.engine, "before_cursor_execute", injected)


# The last step fails as the /log inserts its activity, or as the dialogue it ends is deleted in the same
# transaction: either way nothing of it stays.
@pytest.mark.parametrize("last_fault", ["INSERT INTO activity", "DELETE FROM dialogue"])
async def test_a_database_fault_mid_dialogue_and_mid_log_is_retried_from_the_inbox_and_applied_once(
    fake_telegram: FakeBotApi, db: Database, router: Router, faults: Faults, last_fault: str
):
    async with running(make_telegram_door(fake_telegram, router)) as door:
        fake_telegram.push(message_update('/log talk'))
        assert "Title of the talk" in (await fake_telegram.wait_for("sendMessage"))[-1].params["text"]
        # The title's step fails as it is saved: handled again, it is recorded once (the date is asked once).
        faults.arm("INSERT INTO dialogue")
        fake_telegram.push(message_update("Faults, the talk"))
        assert "Date?" in (await fake_telegram.wait_for("sendMessage", 2, timeout=10))[-1].params["text"]
        fake_telegram.push(message_update("2026-11-20"))
        assert "Numbers" in (await fake_telegram.wait_for("sendMessage", 3))[-1].params["text"]
        # The /log the dialogue ends with fails as the activity is inserted: nothing of it stays, the dialogue
        # stays as it was, and the update is handled again from the inbox with it.
        faults.arm(last_fault)
        fake_telegram.push(message_update("@ HighLoad audience=300"))
        done = (await fake_telegram.wait_for("sendMessage", 4, timeout=10))[-1]
        assert door.dialogues.active() == []
        # The dialogue is over: the next message is chatter, not an answer (no second /log).
        fake_telegram.push(message_update("@ Elsewhere audience=1"))
        fake_telegram.push(message_update("/cancel"))
        assert "Nothing to cancel" in (await fake_telegram.wait_for("sendMessage", 5))[-1].params["text"]

    assert faults.injected == ["INSERT INTO dialogue", last_fault]
    assert "Logged <b>talk #1</b>" in done.params["text"]
    assert titles(db) == {"Faults, the talk": 1}
    texts = fake_telegram.sent_texts()
    assert len(texts) == 5 and sum("Date?" in t for t in texts) == 1  # no apology, no question twice
    assert not any("went wrong" in t or "try again" in t for t in texts)


async def test_a_dialogue_asked_before_a_restart_is_kept_and_if_abandoned_still_times_out_with_a_message(
    fake_telegram: FakeBotApi, db: Database, router: Router
):
    async with running(make_telegram_door(fake_telegram, router, dialogue_timeout=1.0)):
        fake_telegram.push(message_update("/log talk"))
        await fake_telegram.wait_for("sendMessage")
    async with running(make_telegram_door(fake_telegram, router, dialogue_timeout=1.0)) as door:
        assert len(door.dialogues.active()) == 1  # kept across the restart
        # Nobody answers: the new process's clock, set from the database, ends it with a message.
        notice = (await fake_telegram.wait_for("sendMessage", 2, timeout=5))[-1]
        assert "timed out" in notice.params["text"] and door.dialogues.active() == []
