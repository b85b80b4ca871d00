"""Acknowledged means stored: a Telegram door killed (SIGKILL) or stopped (SIGTERM) in the middle of a load,
then started again, applies every update Telegram was told it received — exactly once."""

from __future__ import annotations

import asyncio
import collections
import signal
import sys
import time
from collections.abc import Callable

import pytest
from sqlmodel import select

from storage.db import Database
from storage.models import Activity
from tests.fakes.telegram_api import FakeBotApi, message_update

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
