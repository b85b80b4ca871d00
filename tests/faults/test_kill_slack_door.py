"""Acknowledged means stored: a Slack door (HTTP mode) killed (SIGKILL) or stopped (SIGTERM) in the middle of a
load of slash commands, then started again, applies every command Slack got a 200 for — exactly once. Slack
never sends a slash command again, so what the first process acknowledged must come from its inbox."""

from __future__ import annotations

import asyncio
import signal
import sys
import urllib.parse

import aiohttp
import pytest

from storage.db import Database
from tests.doors import pending, titles
from tests.fakes.slack_api import FakeSlackAPI, SlackClient, command_payload
from tests.faults.test_kill_telegram_door import until

LOAD = 120
CHANNELS = ("C0ONE", "C0TWO", "C0THREE")
AT_ONCE = 8  # requests in flight at a time, as several people typing


async def door_process(db: Database, api: FakeSlackAPI) -> tuple[asyncio.subprocess.Process, int]:
    """The door in its own process; returns it and the port it listens on."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.faults.slack_door_process", str(db.engine.url), api.api_url,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
    assert line.startswith(b"PORT "), line
    return process, int(line.split()[1])


async def load(client: SlackClient, acknowledged: set[int]) -> None:
    """/log T0 … T119 from three channels, a few at a time; a command counts as acknowledged on its 200."""
    slots = asyncio.Semaphore(AT_ONCE)

    async def send(n: int) -> None:
        form = command_payload(client.api, "/log", f'talk "T{n}" @ Conf 2026-11-20', channel=CHANNELS[n % 3], n=n)
        async with slots:
            try:
                response = await client.post(urllib.parse.urlencode(form), "application/x-www-form-urlencoded")
            except aiohttp.ClientError:
                return  # the door is gone: not acknowledged
            if response.status == 200:
                acknowledged.add(n)

    await asyncio.gather(*(send(n) for n in range(LOAD)))


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["sigkill", "sigterm"])
async def test_every_acknowledged_slash_command_is_applied_once_after_a_stop_in_the_middle_of_a_load(
    slack_api, db, how
):
    # Slack's answers hang: each channel's worker applies one command and waits on its answer, so what the
    # first process acknowledged is still mostly in its inbox when it stops.
    slack_api.hold("chat.postMessage")
    first, port = await door_process(db, slack_api)
    acknowledged: set[int] = set()
    async with aiohttp.ClientSession() as session:
        client = SlackClient(f"http://127.0.0.1:{port}/slack/events", slack_api, session)
        sending = asyncio.create_task(load(client, acknowledged))
        await until(lambda: len(acknowledged) >= LOAD // 2, timeout=90, what="half the load to be acknowledged")
        first.send_signal(how)  # more requests are in flight: they get no 200
        await first.wait()
        await sending
    applied_before = sum(titles(db).values())
    assert applied_before <= len(CHANNELS) < LOAD // 2 <= len(acknowledged)
    slack_api.release("chat.postMessage")

    second, _port = await door_process(db, slack_api)
    try:
        await until(lambda: pending(db) == 0 and {f"T{n}" for n in acknowledged} <= set(titles(db)),
                    timeout=120, what="every acknowledged command to be applied after the restart")
        await asyncio.sleep(0.5)  # anything applied twice would show up by now
    finally:
        second.send_signal(signal.SIGTERM)
        _out, err = await second.communicate()
    counted = titles(db)
    assert {f"T{n}" for n in acknowledged} <= set(counted)
    assert set(counted.values()) == {1}  # none twice (one stored but killed before its 200 may count, once)
    assert b"Traceback" not in err, err.decode()[-2000:]
