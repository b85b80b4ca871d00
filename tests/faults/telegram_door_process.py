"""A Telegram door process for the kill tests: long polling against a fake Bot API until SIGTERM.

    python -m tests.faults.telegram_door_process DB_URL API_BASE_URL
"""

from __future__ import annotations

import asyncio
import signal
import sys

import handlers  # noqa: F401  (registers the commands)
from bot.settings import load_settings
from bot.telegram import TelegramDoor
from handlers.router import Router
from storage.db import Database
from tests.fakes.telegram_api import TOKEN


def main(url: str, base_url: str) -> None:
    settings = load_settings(_env_file=None, telegram_bot_token=TOKEN, telegram_api_base_url=base_url)
    db = Database.from_url(url)
    door = TelegramDoor(settings, Router(db), poll_timeout=1.0)

    async def serve() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await door.run(stop)

    asyncio.run(serve())
    db.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:])
