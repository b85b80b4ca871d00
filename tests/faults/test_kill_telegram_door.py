"""Acknowledged means stored: a Telegram door killed (SIGKILL) or stopped (SIGTERM) in the middle of a load,
then started again, applies every update Telegram was told it received — exactly once."""

from __future__ import annotations

import asyncio
import collections
import signal
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
from sqlmodel import col, select

from bot.telegram.webhook import SECRET_HEADER
from storage.db import Database
from storage.models import Activity, Dialogue, InboxItem
from tests.doors import pending
from tests.fakes.telegram_api import FakeBotApi, message_update
from tests.faults.telegram_door_process import WEBHOOK_SECRET, WEBHOOK_URL

LOAD = 150
CHATS = (-1001, -1002, -1003)


async def until(check: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


def titles(db: Database) -> collections.Counter[str]:
    with db.reader() as session:
        return collections.Counter(a.title for a in session.exec(select(Activity)))


async def door_process(db: Database, fake: FakeBotApi) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.faults.telegram_door_process", str(db.engine.url), fake.base_url,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["sigkill", "sigterm"])
async def test_every_acknowledged_update_is_applied_once_after_a_stop_in_the_middle_of_a_load(
    fake_telegram, db, how
):
    ids = [fake_telegram.push(message_update(f'/log talk "T{n}" @ Conf 2026-11-20', chat_id=CHATS[n % 3]))
           for n in range(LOAD)]
    first = await door_process(db, fake_telegram)
    await until(lambda: len(fake_telegram.calls_to("sendMessage")) >= 30, timeout=90, what="the load to start")
    first.send_signal(how)
    await first.wait()
    acknowledged = [i for i in ids if i < fake_telegram.confirmed_below]
    applied_before = sum(titles(db).values())
    assert acknowledged, "nothing was acknowledged before the stop"
    assert applied_before < LOAD, "the load was over before the stop: nothing was tested"

    second = await door_process(db, fake_telegram)
    try:
        await until(lambda: sum(titles(db).values()) >= LOAD and fake_telegram.confirmed_below > ids[-1],
                    timeout=120, what="every update to be applied after the restart")
        await asyncio.sleep(0.5)  # anything applied twice would show up by now
    finally:
        second.send_signal(signal.SIGTERM)
        _out, err = await second.communicate()
    counted = titles(db)
    assert counted == collections.Counter({f"T{n}": 1 for n in range(LOAD)})
    assert b"Traceback" not in err, err.decode()[-2000:]


async def webhook_process(db: Database, fake: FakeBotApi) -> tuple[asyncio.subprocess.Process, int]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.faults.telegram_door_process", str(db.engine.url), fake.base_url, "webhook",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
    assert line.startswith(b"PORT "), line
    return process, int(line.split()[1])


async def post_updates(port: int, updates: list[dict[str, Any]], acknowledged: set[int]) -> None:
    """Telegram's webhook: several connections at once; an update counts as acknowledged on its 200."""
    slots = asyncio.Semaphore(8)
    url = f"http://127.0.0.1:{port}{urlsplit(WEBHOOK_URL).path}"
    async with aiohttp.ClientSession() as http:

        async def post(update: dict[str, Any]) -> None:
            async with slots:
                try:
                    async with http.post(url, json=update, headers={SECRET_HEADER: WEBHOOK_SECRET}) as answer:
                        if answer.status == 200:
                            acknowledged.add(update["update_id"])
                except aiohttp.ClientError:
                    pass  # the door is gone: not acknowledged, Telegram would send it again

        await asyncio.gather(*(post(u) for u in updates))


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["sigkill", "sigterm"])
async def test_every_update_the_webhook_acknowledged_is_applied_once_after_a_stop_in_the_middle_of_a_load(
    fake_telegram, db, how
):
    updates = [{"update_id": 7000 + n, **message_update(f'/log talk "T{n}" @ Conf 2026-11-20', chat_id=CHATS[n % 3])}
               for n in range(LOAD)]
    # The bot's messages hang: each chat's worker applies one command and waits on its answer, so what the
    # first process acknowledged is still mostly in its inbox when it stops.
    fake_telegram.hold("sendMessage")
    first, port = await webhook_process(db, fake_telegram)
    acknowledged: set[int] = set()
    sending = asyncio.create_task(post_updates(port, updates, acknowledged))
    await until(lambda: len(acknowledged) >= LOAD // 2, timeout=90, what="half the load to be acknowledged")
    first.send_signal(how)  # more updates are in flight: they get no 200
    await first.wait()
    await sending
    assert sum(titles(db).values()) < LOAD // 2 <= len(acknowledged)
    fake_telegram.release("sendMessage")

    # Telegram sends again what got no 200; the second process gets all of it, redeliveries included.
    second, port = await webhook_process(db, fake_telegram)
    try:
        again: set[int] = set()
        await post_updates(port, [u for u in updates if u["update_id"] not in acknowledged], again)
        await until(lambda: sum(titles(db).values()) >= LOAD, timeout=120, what="every update to be applied")
        await asyncio.sleep(0.5)  # anything applied twice would show up by now
    finally:
        second.send_signal(signal.SIGTERM)
        _out, err = await second.communicate()
    assert titles(db) == collections.Counter({f"T{n}": 1 for n in range(LOAD)})
    assert b"Traceback" not in err, err.decode()[-2000:]


async def restart_until_the_inbox_is_empty(db: Database, fake_telegram: FakeBotApi, what: str) -> tuple[int, bytes]:
    """The held answers let go, a second door started and stopped once nothing is pending: how many messages
    were sent before it started, and what it logged."""
    fake_telegram.release("sendMessage")
    sent_before = len(fake_telegram.calls_to("sendMessage"))
    second = await door_process(db, fake_telegram)
    try:
        await until(lambda: pending(db) == 0, timeout=120, what=what)
    finally:
        second.send_signal(signal.SIGTERM)
        _out, err = await second.communicate()
    return sent_before, err


async def test_a_command_applied_when_the_door_is_killed_before_its_answer_is_answered_after_the_restart(
    fake_telegram, db
):
    """The kill falls between a command's commit and its answer: each chat's worker has applied its first /log
    and hangs on sendMessage. The restarted door sends those answers (kept with the inbox row in the
    transaction that applied the command) without applying the commands again, then handles the rest."""
    for n in range(6):  # two per chat
        fake_telegram.push(message_update(f'/log talk "T{n}" @ Conf 2026-11-20', chat_id=CHATS[n % 3]))
    fake_telegram.hold("sendMessage")
    first = await door_process(db, fake_telegram)
    await until(lambda: len(fake_telegram.calls_to("sendMessage")) == len(CHATS), timeout=60,
                what="each chat's first command to be applied and its answer sent")
    first.send_signal(signal.SIGKILL)
    await first.wait()
    assert titles(db) == {"T0": 1, "T1": 1, "T2": 1}
    with db.reader() as session:
        rows = session.exec(select(InboxItem).order_by(col(InboxItem.id))).all()
    assert [(row.answer is not None, row.done_at is not None) for row in rows] == (
        [(True, False)] * 3 + [(False, False)] * 3
    )

    sent_before, err = await restart_until_the_inbox_is_empty(db, fake_telegram,
                                                              "every command to be applied and answered")
    assert titles(db) == {f"T{n}": 1 for n in range(6)}  # none applied twice
    answers = [(call.chat_id, call.text) for call in fake_telegram.calls_to("sendMessage")[sent_before:]]
    for n in range(6):  # every command answered by the second process, once, in its own chat
        assert [chat for chat, text in answers if f"T{n}" in text] == [CHATS[n % 3]], (n, answers)
    assert b"answering " in err and b"applied before the last stop" in err
    assert b"Traceback" not in err, err.decode()[-2000:]


def dialogues(db: Database) -> dict[str, str]:
    """The guided /log dialogues in progress, by chat: their kept state."""
    with db.reader() as session:
        return {row.chat_id: row.state for row in session.exec(select(Dialogue))}


async def test_a_guided_log_step_applied_when_the_door_is_killed_before_its_question_is_asked_after_the_restart(
    fake_telegram, db
):
    """The guided /log's steps are kept like commands: each chat's dialogue has taken a step (one starts, one
    gets its title, one is cancelled) and hangs on sending what comes next when the door is killed. The restarted
    door sends those messages — kept with the inbox row in the step's transaction — and takes no step again."""
    starts, titled, cancelled = CHATS
    for chat in (titled, cancelled):  # two dialogues asking for a title, before the kill
        fake_telegram.push(message_update("/log talk", chat_id=chat))
    first = await door_process(db, fake_telegram)
    await until(lambda: len(fake_telegram.calls_to("sendMessage")) == 2, timeout=60, what="two dialogues to start")
    fake_telegram.hold("sendMessage")
    fake_telegram.push(message_update("/log talk", chat_id=starts))
    fake_telegram.push(message_update("Scaling Postgres", chat_id=titled))
    fake_telegram.push(message_update("/cancel", chat_id=cancelled))
    await until(lambda: len(fake_telegram.calls_to("sendMessage")) == 5, timeout=60,
                what="each chat's step to be taken and its message to be on its way")
    first.send_signal(signal.SIGKILL)
    await first.wait()
    before = dialogues(db)
    assert set(before) == {str(starts), str(titled)}
    assert '"title": "Scaling Postgres"' in before[str(titled)] and '"step": "date"' in before[str(titled)]
    with db.reader() as session:
        rows = session.exec(select(InboxItem).order_by(col(InboxItem.id))).all()
    assert [(row.answer is not None, row.done_at is not None) for row in rows[2:]] == [(True, False)] * 3

    sent_before, err = await restart_until_the_inbox_is_empty(db, fake_telegram, "every step's message to be sent")
    sent = {call.chat_id: call for call in fake_telegram.calls_to("sendMessage")[sent_before:]}
    assert len(fake_telegram.calls_to("sendMessage")) - sent_before == 3  # one message per chat
    assert "Title of the talk?" in sent[starts].text and "Date?" in sent[titled].text
    for chat in (starts, titled):  # questions still ask for a reply (a group bot in privacy mode sees only those)
        assert sent[chat].json("reply_markup") == {"force_reply": True, "selective": True}
    assert "Cancelled" in sent[cancelled].text
    assert dialogues(db) == before  # no step taken again
    assert b"applied before the last stop" in err
    assert b"Traceback" not in err, err.decode()[-2000:]
