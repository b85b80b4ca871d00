"""No token or secret in the logs: both doors run against the fakes with known tokens and secrets, every
logger at DEBUG (slack_bolt, slack_sdk, telegram, httpx, aiohttp included — stricter than production, which
quiets httpx), through the production log set-up; commands, a rejected request and failures are exercised,
and what was written is searched for every secret."""

from __future__ import annotations

import io
import logging
import time

import aiohttp
import pytest

from bot.logs import configure_logging
from tests.doors import eventually, make_slack_door, make_telegram_door, running, slack_client
from tests.fakes.slack_api import BOT_TOKEN, SIGNING_SECRET
from tests.fakes.telegram_api import TOKEN, message_update

WEBHOOK_SECRET = "Known_webhook_secret-4f9a2c"
APP_TOKEN = "xapp-1-A0APP-1111111111111-knownknownknownknownknown"
SECRETS = (BOT_TOKEN, SIGNING_SECRET, TOKEN, WEBHOOK_SECRET, APP_TOKEN)
NOISY = ("slack_bolt", "slack_sdk", "telegram", "httpx", "httpcore", "aiohttp", "asyncio", "devrelbot")


@pytest.fixture
def written():
    """The production log set-up (secret filter included), writing into a buffer; restored afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_levels = {name: logging.getLogger(name).level for name in NOISY}
    configure_logging("DEBUG", SECRETS)
    buffer = io.StringIO()
    root.handlers[0].setStream(buffer)  # type: ignore[attr-defined]
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield buffer
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)
    for name, level in saved_levels.items():
        logging.getLogger(name).setLevel(level)


async def test_no_secret_reaches_the_logs_from_either_door(slack_api, fake_telegram, router, written):
    telegram = make_telegram_door(
        fake_telegram, router, network_backoff=0.01, webhook_host="127.0.0.1", webhook_port=0,
        settings={"telegram_webhook_url": "https://bot.example.com/tg/hook", "telegram_webhook_secret": WEBHOOK_SECRET},
    )
    async with (
        running(make_slack_door(slack_api, router, slack_app_token=None)) as slack_door,
        slack_client(slack_door, slack_api) as slack,
        running(telegram),
        aiohttp.ClientSession() as http,
    ):
        hook = f"http://127.0.0.1:{telegram.bound_port}/tg/hook"
        good = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}

        for _ in range(3):  # the first try and both retries fail: a logged failure
            slack_api.fail("chat.postMessage", status=500)
        await slack.command("/log", 'talk "Fails to post" @ Conf 2026-11-20')
        await eventually(lambda: "could not send a reply" in written.getvalue(), timeout=15)
        await slack.command("/log", 'talk "Secret-free" @ Conf 2026-11-20 audience=10')
        await slack.command("/help")
        await slack.command("/log", "talk", secret="wrong-secret")  # rejected: bad signature
        await slack.command("/list", timestamp=int(time.time()) - 600)  # rejected: replayed
        await slack_api.wait_for("chat.postMessage", 1, timeout=10)

        await http.post(hook, json={"update_id": 1, **message_update("/help")}, headers=good)
        await http.post(hook, json={"update_id": 2, **message_update("/list")},
                        headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
        fake_telegram.fail_next("sendMessage", status=400, description=f"Bad Request: echo {TOKEN}")
        await http.post(hook, json={"update_id": 3, **message_update("/stats")}, headers=good)
        await http.post(hook, json={"update_id": 4, "message": {"bogus": True}}, headers=good)
        await fake_telegram.wait_for("sendMessage", 3, timeout=10)

    log_text = written.getvalue()
    # Not vacuous: the SDKs really logged at DEBUG, the rejections and failures are there.
    for needle in ("slack_bolt", "telegram", "httpx", "could not send a reply", "Telegram update failed",
                   "secret token rejected"):
        assert needle in log_text, f"expected {needle!r} in the log"
    leaked = [s for s in SECRETS if s in log_text]
    assert leaked == [], f"secrets in the log: {leaked}"
    assert "***" in log_text  # something was masked, so the filter was exercised
