"""A Telegram door process for the kill tests: long polling (or, with ``webhook``, webhook mode on a free port,
printed as ``PORT n`` once it listens) against a fake Bot API until SIGTERM, logging at INFO to stderr (the
leader tests read who polls from there).

    python -m tests.faults.telegram_door_process DB_URL API_BASE_URL [webhook]
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from typing import Any

import handlers  # noqa: F401  (registers the commands)
from bot.settings import load_settings
from bot.telegram import TelegramDoor
from handlers.router import Router
from storage.db import Database
from tests.fakes.telegram_api import TOKEN

WEBHOOK_URL = "https://bot.example.com/tg/hook"
WEBHOOK_SECRET = "Kill_test_secret-1"


def main(url: str, base_url: str, mode: str = "polling") -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its lines carry the token in the URL
    webhook: dict[str, Any] = (
        {"telegram_webhook_url": WEBHOOK_URL, "telegram_webhook_secret": WEBHOOK_SECRET} if mode == "webhook" else {}
    )
    settings = load_settings(_env_file=None, telegram_bot_token=TOKEN, telegram_api_base_url=base_url, **webhook)
    db = Database.from_url(url)
    door = TelegramDoor(settings, Router(db), poll_timeout=1.0, webhook_host="127.0.0.1", webhook_port=0)

    async def serve() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        task = asyncio.create_task(door.run(stop))
        await door.ready.wait()
        print(f"PORT {door.bound_port}", flush=True)
        await task

    asyncio.run(serve())
    db.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:])
