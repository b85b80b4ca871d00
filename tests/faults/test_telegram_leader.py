"""Telegram long polling among replicas on one PostgreSQL: exactly one process polls (Telegram allows one
consumer per token), elected with an advisory lock; when it is killed, the other takes over within seconds, and
what the dead leader fetched is in the durable inbox, so no update is lost or handled twice."""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import sys
import time

from sqlmodel import select

from storage.db import Database
from storage.models import Activity
from tests.conftest import postgres_db
from tests.fakes.telegram_api import FakeBotApi, message_update

LOAD = 100
FIRST = 60  # pushed before the pollers start; the rest after the hand-over
CHATS = (-1001, -1002, -1003)
LEADS = "telegram-poller:"


class Poller:
    """A Telegram door process, with what it has logged so far."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        assert process.stderr is not None
        self._reading = asyncio.create_task(self._read(process.stderr))

    async def _read(self, stream: asyncio.StreamReader) -> None:
        async for line in stream:
            self.lines.append(line.decode(errors="replace").rstrip())

    def said(self, words: str) -> bool:
        return any(words in line for line in self.lines)

    @property
    def leads(self) -> bool:
        return any(LEADS in line and ") leads" in line for line in self.lines)

    async def stop(self, how: signal.Signals = signal.SIGTERM) -> None:
        if self.process.returncode is None:
            self.process.send_signal(how)
        await self.process.wait()
        await self._reading


async def start_poller(url: str, fake: FakeBotApi, name: str) -> Poller:
    """``name``: the replica's own (docs/deploy.md), which it holds its inbox rows under: the one that takes over
    must take the dead leader's rows at once, not wait out their lease."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.faults.telegram_door_process", url, fake.base_url,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "DEVRELBOT_REPLICA": name},
    )
    return Poller(process)


async def until(check, *, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


def titles(db: Database) -> collections.Counter[str]:
    with db.reader() as session:
        return collections.Counter(a.title for a in session.exec(select(Activity)))


def push_load(fake: FakeBotApi, numbers: range) -> None:
    for n in numbers:
        fake.push(message_update(f'/log talk "T{n}" @ Conf 2026-11-20', chat_id=CHATS[n % 3]))


async def test_two_pollers_one_polls_and_the_other_takes_over_when_it_is_killed(fake_telegram, postgres_schema_url):
    url, schema = postgres_schema_url
    db = postgres_db(url, schema)
    db.upgrade()
    process_url = f"{url}?options=-csearch_path%3D{schema}"
    push_load(fake_telegram, range(FIRST))
    pollers = [await start_poller(process_url, fake_telegram, f"poller-{n}") for n in range(2)]
    try:
        await until(lambda: any(p.leads for p in pollers) and any(p.said("standing by") for p in pollers),
                    timeout=60, what="one poller to lead and the other to stand by")
        await until(lambda: len(fake_telegram.calls_to("sendMessage")) >= 5, timeout=60, what="the load to start")
        [leader] = [p for p in pollers if p.leads]
        [standby] = [p for p in pollers if p is not leader]
        assert fake_telegram.most_polls_at_once == 1  # never two long polls at once: no 409 Conflict
        assert not standby.leads

        await leader.stop(signal.SIGKILL)
        killed_at = time.monotonic()
        applied_at_kill = sum(titles(db).values())
        assert applied_at_kill < FIRST, "the first batch was over before the kill: nothing was tested"

        await until(lambda: standby.leads, timeout=30, what="the standby to take over")
        took_over = time.monotonic() - killed_at
        await asyncio.sleep(1.5)  # the dead leader's last long poll, still open at the fake, runs out
        fake_telegram.most_polls_at_once = fake_telegram.polls_in_flight
        push_load(fake_telegram, range(FIRST, LOAD))

        await until(lambda: sum(titles(db).values()) >= LOAD, timeout=120, what="every update to be applied")
        await asyncio.sleep(0.5)  # anything applied twice would show up by now
        assert fake_telegram.most_polls_at_once == 1
    finally:
        for poller in pollers:
            await poller.stop()
        db.dispose()
    assert titles(db) == collections.Counter({f"T{n}": 1 for n in range(LOAD)})
    assert took_over < 15, f"the standby took {took_over:.1f} s to take over"
    assert not any("Traceback" in line for line in standby.lines), "\n".join(standby.lines[-40:])
