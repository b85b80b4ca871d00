"""Acknowledged means stored: a Slack door (HTTP mode) killed (SIGKILL) or stopped (SIGTERM) in the middle of a
load, then started again, applies every slash command and reaction Slack got a 200 for — exactly once. Slack never
sends a slash command again, so what the first process acknowledged must come from its inbox."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import urllib.parse
from typing import Any

import aiohttp
import pytest
from sqlmodel import col, select

from handlers.core import ChatRef, Posted, SentMessage, UserRef
from handlers.router import Router
from storage.db import Database
from storage.models import InboxItem, ProcessedEvent
from tests.doors import pending, titles, votes
from tests.fakes.slack_api import TEAM_ID, FakeSlackAPI, SlackClient, command_payload, reaction_event
from tests.faults.test_kill_telegram_door import until
from tests.helpers import say

LOAD = 120
CHANNELS = ("C0ONE", "C0TWO", "C0THREE")
AT_ONCE = 8
CARD_TS = "1700000000.000777"  # requests in flight at a time, as several people typing


async def door_process(db: Database | str, api: FakeSlackAPI, *, replica: str | None = None,
                       lease: float | None = None) -> tuple[asyncio.subprocess.Process, int]:
    """The door in its own process (on ``db``, or the database at that URL: a PostgreSQL schema's URL carries
    its search path, which ``engine.url`` does not); returns it and the port it listens on. ``replica``: the
    name it holds its inbox rows under (``DEVRELBOT_REPLICA``), for ``lease`` seconds (``bot.inbox``)."""
    url = db if isinstance(db, str) else str(db.engine.url)
    env = dict(os.environ)
    if replica is not None:
        env["DEVRELBOT_REPLICA"] = replica
    if lease is not None:
        env["TEST_INBOX_LEASE"] = str(lease)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.faults.slack_door_process", url, api.api_url,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
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


def card_in_the_channel(db: Database) -> str:
    """A feedback card the bot posted in #general (set up as the door would): returns its message ts."""
    router = Router(db)
    chat = ChatRef(platform="slack", chat_id="C0GENERAL", workspace_id=TEAM_ID)
    alice = UserRef(platform="slack", user_id="UALICE", display_name="alice")
    say(router, '/log talk "Rated" @ Conf 2026-11-20', user=alice, chat=chat)
    card = say(router, "/feedback 1", user=alice, chat=chat)
    assert card.track is not None
    router.handle_event(Posted(track=card.track, sent=SentMessage(chat=chat, message_id=CARD_TS)))
    return CARD_TS


async def react(client: SlackClient, voters: list[str], acknowledged: set[str]) -> None:
    """Each voter's 🔥 on the card, a few at a time; a reaction counts as acknowledged on its 200."""
    slots = asyncio.Semaphore(AT_ONCE)

    async def send(voter: str) -> None:
        async with slots:
            try:
                response = await client.event(reaction_event("reaction_added", "fire", user=voter, ts=CARD_TS,
                                                             channel="C0GENERAL"), event_id=f"Ev{voter}")
            except aiohttp.ClientError:
                return  # the door is gone: Slack sends it again later
            if response.status == 200:
                acknowledged.add(voter)

    await asyncio.gather(*(send(voter) for voter in voters))


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["sigkill", "sigterm"])
async def test_every_acknowledged_reaction_counts_once_after_a_stop_in_the_middle_of_a_load(slack_api, db, how):
    """The issue's first finding: reactions Slack got a 200 for were lost by a kill. A reaction is applied before
    its 200; what got none, Slack sends again (same event id) — to the next process here."""
    card_in_the_channel(db)
    voters = [f"UV{n:03d}" for n in range(LOAD)]
    first, port = await door_process(db, slack_api)
    acknowledged: set[str] = set()
    async with aiohttp.ClientSession() as session:
        client = SlackClient(f"http://127.0.0.1:{port}/slack/events", slack_api, session)
        sending = asyncio.create_task(react(client, voters, acknowledged))
        await until(lambda: len(acknowledged) >= LOAD // 3, timeout=90, what="a third of the load")
        first.send_signal(how)
        await first.wait()
        await sending
    assert {f"slack:{v}" for v in acknowledged} <= set(votes(db))  # nothing acknowledged was lost

    second, port = await door_process(db, slack_api)
    try:
        async with aiohttp.ClientSession() as session:
            client = SlackClient(f"http://127.0.0.1:{port}/slack/events", slack_api, session)
            again: set[str] = set()
            await react(client, voters, again)  # Slack's retries: the acknowledged ones too, as after a timeout
    finally:
        second.send_signal(signal.SIGTERM)
        _out, err = await second.communicate()
    assert again == set(voters)
    assert votes(db) == {f"slack:{v}": 5 for v in voters}  # each counted once
    with db.reader() as session:
        marks = session.exec(select(ProcessedEvent.event_id).where(ProcessedEvent.platform == "slack")).all()
    assert sorted(marks) == sorted(f"Ev{v}" for v in voters)
    assert b"Traceback" not in err, err.decode()[-2000:]


def inbox_answers(db: Database) -> list[tuple[str, bool, bool]]:
    """Each Slack inbox row: its delivery id, whether an answer is kept with it, and whether it is done."""
    with db.reader() as session:
        rows = session.exec(select(InboxItem).where(InboxItem.platform == "slack").order_by(col(InboxItem.id)))
        return [(row.delivery_id, row.answer is not None, row.done_at is not None) for row in rows]


async def test_a_command_applied_when_the_door_is_killed_before_its_answer_is_answered_after_the_restart(
    slack_api, db
):
    """The kill falls between a command's commit and its answer: each channel's worker has applied its first
    /log and hangs on chat.postMessage. The restarted door sends those answers (kept with the inbox row in the
    transaction that applied the command) without applying the commands again, then handles the rest."""
    slack_api.hold("chat.postMessage")
    first, port = await door_process(db, slack_api)
    acknowledged: set[int] = set()
    async with aiohttp.ClientSession() as session:
        client = SlackClient(f"http://127.0.0.1:{port}/slack/events", slack_api, session)
        for n in range(6):  # two per channel
            form = command_payload(slack_api, "/log", f'talk "T{n}" @ Conf 2026-11-20', channel=CHANNELS[n % 3], n=n)
            response = await client.post(urllib.parse.urlencode(form), "application/x-www-form-urlencoded")
            assert response.status == 200
            acknowledged.add(n)
        # Applied and committed, its answer on the way: the worker waits on the held chat.postMessage.
        await until(lambda: len(slack_api.attempts("chat.postMessage")) == len(CHANNELS), timeout=60,
                    what="each channel's first command to be applied and its answer sent")
    first.send_signal(signal.SIGKILL)
    await first.wait()
    assert titles(db) == {"T0": 1, "T1": 1, "T2": 1}
    assert [(kept, done) for _id, kept, done in inbox_answers(db)] == [(True, False)] * 3 + [(False, False)] * 3

    slack_api.release("chat.postMessage")
    sent_before = len(slack_api.attempts("chat.postMessage"))
    second, _port = await door_process(db, slack_api)
    try:
        await until(lambda: pending(db) == 0, timeout=120, what="every command to be applied and answered")
    finally:
        second.send_signal(signal.SIGTERM)
        _out, err = await second.communicate()
    assert titles(db) == {f"T{n}": 1 for n in range(6)}  # none applied twice
    answers = [call.params["text"] for call in slack_api.attempts("chat.postMessage")[sent_before:]]
    for n in range(6):  # every command answered by the second process, once
        assert sum(f"T{n}" in text for text in answers) == 1, (n, answers)
    assert all(done for _id, _kept, done in inbox_answers(db))
    assert b"Traceback" not in err, err.decode()[-2000:]


# --- Socket Mode ---------------------------------------------------------------------------------------------


async def socket_door_process(db: Database, api: FakeSlackAPI) -> asyncio.subprocess.Process:
    """The door in Socket Mode in its own process, connected to the fake's websocket once this returns."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.faults.slack_door_process", str(db.engine.url), api.api_url, "socket",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
    assert line.startswith(b"PORT "), line
    return process


def socket_load(api: FakeSlackAPI, voters: list[str]) -> list[dict[str, Any]]:
    """Slash commands /log T0 … and each voter's 🔥 on the card, interleaved, as Socket Mode envelopes."""
    envelopes: list[dict[str, Any]] = []
    for n, voter in enumerate(voters):
        envelopes.append({"envelope_id": f"env-cmd-{n}", "type": "slash_commands", "accepts_response_payload": True,
                          "payload": command_payload(api, "/log", f'talk "T{n}" @ Conf 2026-11-20',
                                                     channel=CHANNELS[n % 3], n=n)})
        event = reaction_event("reaction_added", "fire", user=voter, ts=CARD_TS, channel="C0GENERAL")
        envelopes.append({"envelope_id": f"env-ev-{n}", "type": "events_api", "accepts_response_payload": False,
                          "retry_attempt": 0, "retry_reason": "",
                          "payload": {"token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0APP", "event": event,
                                      "type": "event_callback", "event_id": f"Ev{voter}", "event_time": 1700000100}})
    return envelopes


async def test_socket_mode_killed_in_the_middle_of_a_load_applies_every_acknowledged_envelope_once(slack_api, db):
    """kill -9 while slash commands and reactions arrive over Socket Mode, then start again: every envelope
    the door acknowledged is applied exactly once; the events it left unacknowledged the fake sends again over
    the next connection (as Slack does), and they count once too."""
    card_in_the_channel(db)
    voters = [f"UV{n:03d}" for n in range(LOAD // 2)]
    await slack_api.deliver(socket_load(slack_api, voters))
    first = await socket_door_process(db, slack_api)
    await until(lambda: len(slack_api.socket_acked) >= LOAD // 3, timeout=90, what="a third of the load acked")
    first.send_signal(signal.SIGKILL)
    await first.wait()
    acked_first = {slack_api.first_envelope(e) for e in slack_api.socket_acked}  # a retry stands for its first
    assert slack_api.undelivered > 0, "the load was over before the kill: nothing was tested"

    second = await socket_door_process(db, slack_api)
    try:
        acked_commands = {int(e.removeprefix("env-cmd-")) for e in slack_api.socket_acked if e.startswith("env-cmd")}
        await until(lambda: slack_api.undelivered == 0 and pending(db) == 0
                    and {f"T{n}" for n in acked_commands} <= set(titles(db)),
                    timeout=120, what="every envelope acknowledged and applied after the restart")
    finally:
        second.send_signal(signal.SIGTERM)
        _out, err = await second.communicate()
    acked = {slack_api.first_envelope(e) for e in slack_api.socket_acked}
    assert acked_first < acked
    failed = {e["envelope_id"] for e in slack_api.socket_failed}  # commands whose ack the kill (or 3 s) cut off
    assert acked | failed == {e for n in range(len(voters)) for e in (f"env-cmd-{n}", f"env-ev-{n}")}
    counted = titles(db)
    assert {f"T{n}" for n in range(len(voters)) if f"env-cmd-{n}" in acked} <= set(counted)
    assert set(counted.values()) == {1}  # none twice (one stored but killed before its ack may count, once)
    assert votes(db) == {f"slack:{v}": 5 for v in voters}  # every reaction, acked or sent again, once
    with db.reader() as session:
        marks = session.exec(select(ProcessedEvent.event_id).where(ProcessedEvent.platform == "slack")).all()
    assert sorted(m for m in marks if m.startswith("Ev")) == sorted(f"Ev{v}" for v in voters)
    assert b"Traceback" not in err, err.decode()[-2000:]
