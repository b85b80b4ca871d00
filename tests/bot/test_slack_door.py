"""The Slack door's life: Socket Mode over the same listeners, clear start-up failures, retry with backoff."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlmodel import select

from bot.app import supervise
from bot.slack import SlackDoor
from bot.slack.door import SlackStartError
from storage.models import Activity
from tests.doors import make_slack_door, slack_settings
from tests.fakes.slack_api import BOT_TOKEN, TEAM_ID, FakeSlackAPI, command_payload

APP_TOKEN = "xapp-1-A0APP-0000000000000-testtesttesttesttesttest"


async def run_until(door: SlackDoor, stop: asyncio.Event, condition) -> None:  # type: ignore[no-untyped-def]
    task = asyncio.create_task(door.run(stop))
    try:
        await condition()
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)


async def test_socket_mode_serves_commands_and_events_through_the_same_listeners(
    slack_api: FakeSlackAPI, slack_router, recorder, db
):
    slash = command_payload(slack_api, "/log", 'talk "Socket Talk" @ Conf today audience=50')
    reaction = {
        "team_id": TEAM_ID,
        "event_id": "EvSocket",
        "type": "event_callback",
        "event": {
            "type": "reaction_added",
            "user": "UCAROL",
            "reaction": "fire",
            "item": {"type": "message", "channel": "C0GENERAL", "ts": "1700000000.000001"},
        },
    }
    slack_api.socket_envelopes += [
        {"envelope_id": "env-1", "type": "slash_commands", "payload": slash, "accepts_response_payload": True},
        {"envelope_id": "env-2", "type": "events_api", "payload": reaction, "retry_attempt": 0},
    ]
    door = SlackDoor(slack_settings(slack_api, slack_app_token=APP_TOKEN, slack_signing_secret=None), slack_router)
    assert door.mode == "socket"

    async def served() -> None:
        acks = await slack_api.wait_for("socket_ack", 2)
        assert {a.params["envelope_id"] for a in acks} == {"env-1", "env-2"}
        await slack_api.wait_for("chat.postMessage")
        # The ack goes out before the listener runs: wait (bounded) for the reaction to be handled.
        for _ in range(500):
            if recorder.reactions:
                break
            await asyncio.sleep(0.01)

    await run_until(door, asyncio.Event(), served)

    assert slack_api.of("apps.connections.open")
    with db.session() as s:
        assert s.exec(select(Activity)).one().title == "Socket Talk"
    assert [(r.emoji, r.message_id) for r in recorder.reactions] == [("🔥", "1700000000.000001")]


async def test_a_revoked_token_fails_clearly_without_showing_the_token(slack_api: FakeSlackAPI, slack_router):
    slack_api.fail("auth.test", error="token_revoked")
    door = make_slack_door(slack_api, slack_router)

    with pytest.raises(SlackStartError) as raised:
        await door.run(asyncio.Event())

    assert "token_revoked" in str(raised.value) and "SLACK_BOT_TOKEN" in str(raised.value)
    assert BOT_TOKEN not in str(raised.value)


async def test_an_unreachable_api_fails_clearly(slack_api: FakeSlackAPI, slack_router):
    await slack_api.stop()  # nothing listens there any more
    door = make_slack_door(slack_api, slack_router)

    with pytest.raises(SlackStartError, match="cannot reach the Slack API"):
        await door.run(asyncio.Event())


async def test_http_mode_needs_a_signing_secret(slack_api: FakeSlackAPI, slack_router):
    door = SlackDoor(slack_settings(slack_api, slack_signing_secret=None), slack_router)

    with pytest.raises(SlackStartError, match="SLACK_SIGNING_SECRET"):
        await door.run(asyncio.Event())
    assert slack_api.calls == []


async def test_the_supervisor_logs_the_failure_and_retries_until_slack_answers(
    slack_api: FakeSlackAPI, slack_router, caplog
):
    slack_api.fail("auth.test", error="invalid_auth")
    door = make_slack_door(slack_api, slack_router)
    stop = asyncio.Event()

    with caplog.at_level(logging.ERROR):
        task = asyncio.create_task(supervise(door, stop, first_delay=0.01))
        await asyncio.wait_for(door.ready.wait(), timeout=10)
        stop.set()
        await asyncio.wait_for(task, timeout=10)

    assert len(slack_api.attempts("auth.test")) == 2
    assert "slack door failed" in caplog.text and "invalid_auth" in caplog.text
    assert BOT_TOKEN not in caplog.text
