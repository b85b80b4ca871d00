"""Telegram buttons whose command is longer than the 64 bytes of callback_data: the command is kept in the
database under a short token, so a press that lands on another webhook replica (or reaches a process started
since) runs it; a press after the button expired is told which command to type."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from typing import Any

import aiohttp

from bot.telegram.buttons import STORED
from bot.telegram.door import TelegramDoor
from handlers.core import Button, Reply
from handlers.router import Registry, Request, Router, registry
from storage.db import Database
from tests.conftest import Clock
from tests.doors import make_telegram_door, running
from tests.fakes.telegram_api import FakeBotApi, callback_update, message_update

SECRET = "s3cret_TOKEN"
HOOK = {"telegram_webhook_url": "https://bot.example.com/tg/hook", "telegram_webhook_secret": SECRET}
# 85 bytes as a command line: the button cannot carry it.
LONG = "/echo " + "Ünïcode and a long tail, " * 3 + "end"


def with_long_button() -> Registry:
    """Every real command, plus /offer (a reply whose button runs ``LONG``) and /echo (says what it got)."""
    commands = Registry()
    for c in registry.all():
        commands.command(c.name, summary=c.summary, usage=c.usage, examples=c.examples, admin_only=c.admin_only,
                         reads_only=c.reads_only)(c.handler)

    @commands.command("offer", summary="Offers a button with a long command", usage="/offer")
    def offer(req: Request) -> Reply:
        return Reply("Press it", buttons=(Button("Go", LONG), Button("Help", "/help")))

    @commands.command("echo", summary="Says what it got", usage="/echo TEXT")
    def echo(req: Request) -> Reply:
        return Reply(f"echo {len(req.args)} [{req.args}]")

    return commands


@asynccontextmanager
async def replicas(fake: FakeBotApi, db: Database, clock: Clock, count: int) -> AsyncIterator[list[TelegramDoor]]:
    """``count`` webhook replicas on one database, each with its own router (as separate processes have)."""
    async with AsyncExitStack() as stack:
        yield [await stack.enter_async_context(running(make_telegram_door(
            fake, Router(db, commands=with_long_button(), clock=clock), settings=HOOK, webhook_host="127.0.0.1",
            webhook_port=0))) for _ in range(count)]


async def post(http: aiohttp.ClientSession, door: TelegramDoor, update: dict[str, Any]) -> None:
    async with http.post(f"http://127.0.0.1:{door.bound_port}/tg/hook", json=update,
                         headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as answer:
        assert answer.status == 200


def buttons_of(call: Any) -> dict[str, str]:
    return {b["text"]: b["callback_data"] for row in call.json("reply_markup")["inline_keyboard"] for b in row}


async def test_a_long_command_button_sent_by_one_replica_runs_its_command_when_pressed_on_another(
    fake_telegram: FakeBotApi, any_db: Database, clock: Clock
):
    async with replicas(fake_telegram, any_db, clock, 2) as (one, two), aiohttp.ClientSession() as http:
        await post(http, one, {"update_id": 81_000, **message_update("/offer")})
        (offered,) = await fake_telegram.wait_for("sendMessage")
        data = buttons_of(offered)
        assert data["Help"] == "c:/help"  # a short command travels in the button
        assert data["Go"].startswith(STORED) and len(data["Go"].encode()) <= 64
        await post(http, two, {"update_id": 81_001, **callback_update(offered, "Go")})
        echoed = (await fake_telegram.wait_for("sendMessage", 2))[-1]

    args = LONG.removeprefix("/echo ")
    assert echoed.params["text"] == f"echo {len(args)} [{args}]"
    assert fake_telegram.calls_to("answerCallbackQuery")[-1].params["show_alert"] == "false"


async def test_a_long_command_button_still_works_after_the_process_that_sent_it_is_gone(
    fake_telegram: FakeBotApi, db: Database, clock: Clock
):
    async with replicas(fake_telegram, db, clock, 1) as (first,), aiohttp.ClientSession() as http:
        await post(http, first, {"update_id": 82_000, **message_update("/offer")})
        (offered,) = await fake_telegram.wait_for("sendMessage")
    async with replicas(fake_telegram, db, clock, 1) as (restarted,), aiohttp.ClientSession() as http:
        await post(http, restarted, {"update_id": 82_001, **callback_update(offered, "Go")})
        echoed = (await fake_telegram.wait_for("sendMessage", 2))[-1]
    assert echoed.params["text"].startswith("echo ") and "end]" in echoed.params["text"]


async def test_an_expired_button_says_which_command_to_type_and_runs_nothing(
    fake_telegram: FakeBotApi, any_db: Database, clock: Clock
):
    async with replicas(fake_telegram, any_db, clock, 2) as (one, two), aiohttp.ClientSession() as http:
        one.payloads.lifetime = timedelta(seconds=-1)  # its buttons have run out by the time anyone presses
        await post(http, one, {"update_id": 83_000, **message_update("/offer")})
        (offered,) = await fake_telegram.wait_for("sendMessage")
        await post(http, two, {"update_id": 83_001, **callback_update(offered, "Go")})
        expired = (await fake_telegram.wait_for("sendMessage", 2))[-1]
        # A token nobody stored (dropped by housekeeping): the press is refused with an alert.
        unknown = {**callback_update(offered, "Go")}
        unknown["callback_query"]["data"] = STORED + "A" * 16
        await post(http, two, {"update_id": 83_002, **unknown})
        alert = (await fake_telegram.wait_for("answerCallbackQuery", 2))[-1]

    assert expired.params["text"].startswith("This button has expired — type the command: <code>/echo ")
    assert alert.params["show_alert"] == "true"
    assert alert.params["text"] == "This button has expired; type the command instead."
    assert len(fake_telegram.sent_texts()) == 2
