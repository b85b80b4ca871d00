"""Platform trouble at the doors: Slack 500s and 429s, Telegram network errors, a database that is locked —
retried with backoff, then a logged failure; never a crash, and never the other door down.

Already covered elsewhere (not repeated here): one Slack 429 retried after Retry-After
(tests/bot/test_slack.py), a Telegram RetryAfter waited out and one asking for an hour refused
(tests/bot/test_telegram.py), a door failing to start retried while the other goes on (tests/bot/test_app.py,
tests/bot/test_slack_door.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
import sqlite3
import time
from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.app import supervise
from bot.slack import SlackDoor
from bot.slack.listeners import ACK_WITHIN
from handlers.router import Router
from storage.db import Database
from storage.models import Activity, InboxItem, ProcessedEvent, Team
from tests.doors import eventually, make_slack_door, make_telegram_door, pending, running, slack_client
from tests.fakes.slack_api import FakeSlackAPI, SlackClient
from tests.fakes.telegram_api import FakeBotApi, message_update

LOG_LINE = 'talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300'


@contextlib.asynccontextmanager
async def both_doors(slack_fake: FakeSlackAPI, telegram_fake: FakeBotApi, router: Router) -> AsyncIterator[
    tuple[SlackClient, SlackDoor]
]:
    """Slack (HTTP mode) and Telegram (polling) under the app's supervisor in one event loop, as in production."""
    slack_door = make_slack_door(slack_fake, router)
    telegram_door = make_telegram_door(telegram_fake, router, network_backoff=0.01)
    stop = asyncio.Event()
    tasks = [asyncio.create_task(supervise(d, stop, first_delay=0.05, max_delay=0.2))
             for d in (slack_door, telegram_door)]
    try:
        await asyncio.wait_for(asyncio.gather(slack_door.ready.wait(), telegram_door.ready.wait()), 10)
        async with slack_client(slack_door, slack_fake) as slack:
            yield slack, slack_door
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 15)


def messages(caplog, level: int = logging.WARNING) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.levelno >= level)


async def test_slack_500s_are_retried_then_logged_and_telegram_keeps_answering(
    slack_api, fake_telegram, router, caplog
):
    for _ in range(3):  # the first try and both retries
        slack_api.fail("chat.postMessage", status=500)
    async with both_doors(slack_api, fake_telegram, router) as (slack, _door):
        response = await slack.command("/log", LOG_LINE)
        fake_telegram.push(message_update("/help"))
        (answer,) = await fake_telegram.wait_for("sendMessage", timeout=10)
        await eventually(lambda: "could not send a reply" in messages(caplog), timeout=15)
        # The Slack door is still up: the next command goes out.
        await slack.command("/log", 'talk "Second" @ Conf 2026-11-20')
        await slack_api.wait_for("chat.postMessage", timeout=10)

    assert response.status == 200
    assert [c.status for c in slack_api.attempts("chat.postMessage")] == [500, 500, 500, 200]
    assert "devrelbot commands" in answer.params["text"]


async def test_slack_429s_beyond_the_retries_are_logged_not_fatal(slack_api, fake_telegram, router, caplog):
    for _ in range(4):  # the first try and three retries after Retry-After
        slack_api.fail("chat.postMessage", status=429, headers={"Retry-After": "0"})
    async with both_doors(slack_api, fake_telegram, router) as (slack, _door):
        await slack.command("/log", LOG_LINE)
        await eventually(lambda: "could not send a reply" in messages(caplog), timeout=15)
        await slack.command("/log", 'talk "Second" @ Conf 2026-11-20')
        [post] = await slack_api.wait_for("chat.postMessage", timeout=10)
        fake_telegram.push(message_update("/list"))
        await fake_telegram.wait_for("sendMessage", timeout=10)

    assert [c.status for c in slack_api.attempts("chat.postMessage")] == [429, 429, 429, 429, 200]
    assert "Second" in post.params["text"]


async def test_telegram_network_errors_are_retried_with_backoff_and_the_message_goes_once(
    fake_telegram, router
):
    for _ in range(2):
        fake_telegram.fail_next("sendMessage", status=502, description="Bad Gateway")
    async with running(make_telegram_door(fake_telegram, router, network_backoff=0.05)):
        fake_telegram.push(message_update("/help"))
        attempts = await fake_telegram.wait_for("sendMessage", 3, timeout=10)

    assert len(attempts) == 3 and len({c.params["text"] for c in attempts}) == 1
    assert attempts[2].at - attempts[1].at >= attempts[1].at - attempts[0].at >= 0.04  # backing off


async def test_telegram_network_errors_beyond_the_retries_are_logged_and_slack_keeps_answering(
    slack_api, fake_telegram, router, caplog
):
    for _ in range(3):
        fake_telegram.fail_next("sendMessage", status=503, description="Service Unavailable")
    async with both_doors(slack_api, fake_telegram, router) as (slack, _door):
        fake_telegram.push(message_update("/help"))
        await eventually(lambda: "Telegram update failed" in messages(caplog, logging.ERROR), timeout=10)
        await slack.command("/log", LOG_LINE)
        await slack_api.wait_for("chat.postMessage", timeout=10)
        fake_telegram.push(message_update("/list"))  # the Telegram door is still up, too
        await eventually(lambda: any("/list" not in c.text and c.params.get("parse_mode") == "HTML"
                                     for c in fake_telegram.calls_to("sendMessage")[3:]), timeout=10)


async def test_telegram_unreachable_while_polling_does_not_take_slack_down(
    slack_api, fake_telegram, router, caplog
):
    async with both_doors(slack_api, fake_telegram, router) as (slack, _door):
        await fake_telegram.close()  # the Bot API goes away: polling fails with network errors, retried by PTB
        for n in range(3):
            await slack.command("/log", f'talk "While Telegram is down {n}" @ Conf 2026-11-20')
        posts = await slack_api.wait_for("chat.postMessage", 3, timeout=10)
        await eventually(lambda: "Telegram polling error" in messages(caplog), timeout=10)

    assert all("While Telegram is down" in p.params["text"] for p in posts)


# --- the database locked, seen through the doors ------------------------------------------------------------


@pytest.fixture
def lockable(migrated_sqlite_template, tmp_path, clock):
    path = tmp_path / "door.db"
    shutil.copy(migrated_sqlite_template, path)
    db = Database.from_url(f"sqlite:///{path}", busy_timeout=0.3)
    yield path, db, Router(db, clock=clock)
    db.dispose()


@contextlib.contextmanager
def exclusive_lock(path):
    holder = sqlite3.connect(path, isolation_level=None, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


async def test_a_locked_database_at_the_telegram_door_leaves_the_update_unconfirmed_then_applies_it_once(
    fake_telegram, lockable, caplog
):
    path, db, router = lockable
    async with running(make_telegram_door(fake_telegram, router)):
        fake_telegram.push(message_update("/help"))
        await fake_telegram.wait_for("sendMessage")
        # The door marks /help's row done once Telegram answered the send: that write must be over before the
        # test takes the lock, or the two collide and one of them fails at once.
        await eventually(lambda: pending(db) == 0)
        with exclusive_lock(path):
            update_id = fake_telegram.push(message_update(f"/log {LOG_LINE}"))
            # The door got the update and could not store it; then it asks Telegram again without confirming it.
            await eventually(lambda: "1 Telegram updates left with Telegram" in caplog.text, timeout=20)
            await fake_telegram.wait_for("getUpdates", len(fake_telegram.calls_to("getUpdates")) + 1, timeout=20)
            assert fake_telegram.confirmed_below <= update_id  # not acknowledged: Telegram still has it
        done = (await fake_telegram.wait_for("sendMessage", 2, timeout=20))[-1]
        await eventually(lambda: fake_telegram.confirmed_below > update_id)

    assert "Logged" in done.text
    with db.session() as session:
        assert len(session.exec(select(Activity)).all()) == 1


async def test_a_locked_database_at_the_slack_door_says_in_the_ack_that_nothing_was_saved_then_recovers(
    slack_api, lockable
):
    """Slack never sends a slash command again: one the inbox cannot store is not acknowledged as received —
    the ack itself tells the person it was not saved."""
    path, db, router = lockable
    async with running(make_slack_door(slack_api, router)) as door, slack_client(door, slack_api) as slack:
        with exclusive_lock(path):
            busy = await slack.command("/log", LOG_LINE)
        await slack.command("/log", LOG_LINE)
        [done] = await slack_api.wait_for("chat.postMessage", timeout=10)

    ack = json.loads(await busy.text())
    assert busy.status == 200 and ack["response_type"] == "ephemeral"
    assert "try again in a moment" in ack["text"] and "Nothing was saved" in ack["text"]
    assert "Logged" in done.params["text"]
    with db.reader() as session:
        assert len(session.exec(select(Activity)).all()) == 1



async def test_app_home_opened_while_the_database_is_locked_is_answered_not_dropped(slack_api, lockable):
    """A new workspace's team cannot be created, nor the visit recorded: the Home tab says to try again instead
    of staying empty."""
    path, _db, router = lockable
    async with running(make_slack_door(slack_api, router)) as door, slack_client(door, slack_api) as slack:
        with exclusive_lock(path):
            await slack.event({"type": "app_home_opened", "user": "UALICE", "channel": "D0ALICE", "tab": "home"})
            [published] = await slack_api.wait_for("views.publish", timeout=10)

    assert "try again in a moment" in json.dumps(published.params["view"], ensure_ascii=False)


async def test_a_reaction_the_locked_database_cannot_take_is_not_acknowledged_and_its_retry_counts_once(
    slack_api, lockable
):
    path, db, router = lockable
    reaction = {"type": "reaction_added", "user": "UCAROL", "reaction": "fire", "event_ts": "1700000100.000100",
                "item": {"type": "message", "channel": "C0GENERAL", "ts": "1700000000.000100"}}
    async with running(make_slack_door(slack_api, router)) as door, slack_client(door, slack_api) as slack:
        with exclusive_lock(path):
            refused = await slack.event(reaction, event_id="Ev-LOCKED")
        retried = await slack.event(reaction, event_id="Ev-LOCKED", retry_num=1)
        again = await slack.event(reaction, event_id="Ev-LOCKED", retry_num=2)

    assert refused.status == 503  # not "received": Slack keeps it and sends it again
    assert (retried.status, again.status) == (200, 200)
    with db.session() as session:
        marks = session.exec(select(ProcessedEvent).where(ProcessedEvent.event_id == "Ev-LOCKED")).all()
    assert len(marks) == 1  # applied once, in the transaction that acknowledged it


@pytest.fixture
def patient(migrated_sqlite_template, tmp_path, clock):
    """A database that waits out a lock as in production (a 30 s busy timeout): longer than Slack waits."""
    path = tmp_path / "door.db"
    shutil.copy(migrated_sqlite_template, path)
    db = Database.from_url(f"sqlite:///{path}", busy_timeout=30)
    yield path, db, Router(db, clock=clock)
    db.dispose()


async def test_a_lock_held_longer_than_slack_waits_gets_a_slash_command_a_timely_not_saved_and_stores_nothing(
    slack_api, patient
):
    """Slack wants its answer within 3 s and never sends a slash command again: while the lock is held the door
    answers in time that nothing was saved (not Slack's "operation_timeout"), and what it gave up is not stored
    when the lock goes — the person was told to try again."""
    path, db, router = patient
    async with running(make_slack_door(slack_api, router)) as door, slack_client(door, slack_api) as slack:
        with exclusive_lock(path):  # held until the answer came: a door waiting for the lock would not answer
            started = time.monotonic()
            busy = await slack.command("/log", 'talk "Given up" @ Conf 2026-11-20')
            answered_after = time.monotonic() - started
        await slack.command("/log", 'talk "Retried" @ Conf 2026-11-20')
        [done] = await slack_api.wait_for("chat.postMessage", timeout=10)

    # The door's deadline (2.5 s), far from the database's 30 s busy timeout: load cannot blur the two.
    assert ACK_WITHIN < 3 and answered_after < 10
    ack = json.loads(await busy.text())
    assert busy.status == 200 and ack["response_type"] == "ephemeral"
    assert "database is busy" in ack["text"] and "Nothing was saved" in ack["text"]
    assert "Retried" in done.params["text"]
    with db.reader() as session:  # the retry went after the batch that waited for the lock: it skipped the first
        assert [a.title for a in session.exec(select(Activity)).all()] == ["Retried"]
        assert len(session.exec(select(InboxItem)).all()) == 1


async def test_a_lock_held_longer_than_slack_waits_gets_a_reaction_a_timely_503_and_its_retry_counts_once(
    slack_api, patient
):
    path, db, router = patient
    reaction = {"type": "reaction_added", "user": "UCAROL", "reaction": "fire", "event_ts": "1700000100.000100",
                "item": {"type": "message", "channel": "C0GENERAL", "ts": "1700000000.000100"}}
    async with running(make_slack_door(slack_api, router)) as door, slack_client(door, slack_api) as slack:
        with exclusive_lock(path):
            started = time.monotonic()
            refused = await slack.event(reaction, event_id="Ev-HELD")
            answered_after = time.monotonic() - started
        retried = await slack.event(reaction, event_id="Ev-HELD", retry_num=1)

    assert (refused.status, retried.status) == (503, 200)  # not "received" in time: Slack sends it again
    assert answered_after < 10  # the door's deadline, not the busy timeout
    with db.reader() as session:
        marks = session.exec(select(ProcessedEvent).where(ProcessedEvent.event_id == "Ev-HELD")).all()
    assert len(marks) == 1


async def test_a_lock_held_longer_than_slack_waits_gets_app_home_in_a_new_workspace_a_timely_busy_tab(
    slack_api, patient
):
    """The first visit of a brand-new workspace must create its team, and a write lock held elsewhere keeps that
    out: the door gives up at its deadline (as for a slash command), says so in the tab, and Slack gets its ack in
    time. What it gave up is not written later; the next visit, with the lock gone, creates the team once."""
    path, db, router = patient
    home = {"type": "app_home_opened", "user": "UALICE", "channel": "D0ALICE", "tab": "home"}
    async with running(make_slack_door(slack_api, router)) as door, slack_client(door, slack_api) as slack:
        with exclusive_lock(path):  # held until the tab was published: a door waiting for the lock would not
            started = time.monotonic()
            opened = await slack.event(home, event_id="Ev-HOME-1")
            answered_after = time.monotonic() - started
            [busy] = await slack_api.wait_for("views.publish", timeout=10)
        await slack.event(home, event_id="Ev-HOME-2")
        [_busy, shown] = await slack_api.wait_for("views.publish", 2, timeout=10)

    assert opened.status == 200 and answered_after < 10  # the door's deadline (2.5 s), not the 30 s busy timeout
    assert "database is busy" in json.dumps(busy.params["view"], ensure_ascii=False)
    assert "database is busy" not in json.dumps(shown.params["view"], ensure_ascii=False)
    with db.reader() as session:
        assert len(session.exec(select(Team)).all()) == 1
        marks = session.exec(select(ProcessedEvent.event_id).where(ProcessedEvent.platform == "slack")).all()
    assert marks == ["Ev-HOME-2"]  # the given-up visit left nothing behind
