"""LOG_FORMAT=json: one JSON object per line, each carrying the correlation id of the request it was written for
(Slack's event_id or trigger_id, Telegram's update_id) from the door through the handler and the storage to the
delivery of the replies; secrets masked as in text logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from bot.logs import configure_logging
from bot.slack import SlackDoor
from bot.telegram.door import TelegramDoor
from tests.doors import eventually, slack_client
from tests.fakes.slack_api import BOT_TOKEN, FakeSlackAPI, reaction_event
from tests.fakes.telegram_api import TOKEN, FakeBotApi, message_update

# Each layer a command passes through writes (at DEBUG) under its own logger.
LAYERS = ("devrelbot.handlers.router", "devrelbot.storage.db", "devrelbot.bot.delivery")


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The bot's logging as ``devrelbot run`` sets it up with LOG_FORMAT=json and LOG_LEVEL=DEBUG, into a buffer;
    the test run's own logging is put back afterwards."""
    root, bot = logging.getLogger(), logging.getLogger("devrelbot")
    saved = (root.handlers[:], root.level, bot.level)
    stream = io.StringIO()
    configure_logging("DEBUG", [BOT_TOKEN, TOKEN], log_format="json", stream=stream)
    yield stream
    root.handlers[:], root.level = saved[0], saved[1]
    bot.setLevel(saved[2])


def entries(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]  # every line is one JSON object


def loggers_for(stream: io.StringIO, request_id: str) -> set[str]:
    return {entry["logger"] for entry in entries(stream) if entry.get("id") == request_id}


async def test_a_slack_command_is_followed_by_its_trigger_id_through_every_layer(
    json_log: io.StringIO, slack_door: SlackDoor, slack_api: FakeSlackAPI
):
    async with slack_client(slack_door, slack_api) as slack:
        await slack.command("/log", 'talk "Traced" @ Conf 2026-11-20', user="UALICE")  # trigger.1
        await slack.command("/devrel", "help")  # trigger.2

    await eventually(lambda: set(LAYERS) <= loggers_for(json_log, "trigger.1"))
    await eventually(lambda: "devrelbot.handlers.router" in loggers_for(json_log, "trigger.2"))
    [logged] = [e for e in entries(json_log)
                if e["logger"] == "devrelbot.handlers.router" and e.get("id") == "trigger.1"]
    assert logged["level"] == "DEBUG" and logged["message"].startswith("/log from slack: ok in ")
    assert {"time", "level", "logger", "message"} <= set(logged)


async def test_a_slack_event_is_followed_by_its_event_id(
    json_log: io.StringIO, slack_door: SlackDoor, slack_api: FakeSlackAPI
):
    async with slack_client(slack_door, slack_api) as slack:
        response = await slack.event(reaction_event(emoji="fire"), event_id="EvTRACED")
    assert response.status == 200
    assert "devrelbot.storage.db" in loggers_for(json_log, "EvTRACED")


async def test_a_telegram_update_is_followed_by_its_update_id(
    json_log: io.StringIO, telegram_door: TelegramDoor, fake_telegram: FakeBotApi
):
    update_id = fake_telegram.push(message_update('/log talk "Traced" @ Conf 2026-11-20'))

    await eventually(lambda: set(LAYERS) <= loggers_for(json_log, str(update_id)))


def test_json_lines_mask_tokens_and_carry_tracebacks(json_log: io.StringIO):
    log = logging.getLogger("devrelbot.test.json")
    try:
        raise RuntimeError(f"refused {BOT_TOKEN}")
    except RuntimeError:
        log.exception("Slack said no to %s", BOT_TOKEN)
    log.info('a "quoted"\nline')

    failed, quoted = entries(json_log)
    assert BOT_TOKEN not in json_log.getvalue()
    assert failed["message"] == "Slack said no to ***" and "RuntimeError: refused ***" in failed["exc"]
    assert quoted["message"] == 'a "quoted"\nline' and "id" not in quoted
