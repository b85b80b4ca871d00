"""The one process: database, router, the doors whose credentials are set, all in one event loop.

Each platform door runs under a supervisor: if it cannot start or fails later, the failure is logged and
the door is retried with backoff, while the other doors go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Protocol

from bot.settings import Settings
from handlers import Router
from handlers.core import Messenger
from storage.db import Database

log = logging.getLogger(f"devrelbot.{__name__}")


class Door(Protocol):
    name: str

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until ``stop`` is set, then shut down cleanly; raise if the platform fails."""


def build_router(settings: Settings) -> tuple[Database, Router]:
    db = Database.from_url(settings.database_url)
    db.upgrade()
    return db, Router(db, default_timezone=settings.default_timezone)


def platform_doors(settings: Settings, router: Router) -> list[Door]:
    """The doors whose credentials are set. SDKs are imported only when their door is wanted."""
    doors: list[Door] = []
    if settings.slack_enabled:
        from bot.slack import SlackDoor

        doors.append(SlackDoor(settings, router))
    if settings.telegram_enabled:
        from bot.telegram import TelegramDoor

        doors.append(TelegramDoor(settings, router))
    return doors


async def supervise(door: Door, stop: asyncio.Event, *, first_delay: float = 1.0, max_delay: float = 300.0) -> None:
    delay = first_delay
    while not stop.is_set():
        try:
            await door.run(stop)
            return
        except asyncio.CancelledError:
            raise
        except Exception as error:  # one platform's failure must never take the others down
            log.error(
                "%s door failed: %s: %s — retrying in %.0f s",
                door.name,
                type(error).__name__,
                error,
                delay,
                exc_info=log.isEnabledFor(logging.DEBUG),
            )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)
        delay = min(delay * 2, max_delay)


def install_signal_handlers(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)


def messengers_of(doors: list[Door]) -> dict[str, Messenger]:
    """Each door's Messenger, by platform: jobs send through these without knowing the platform."""
    found: dict[str, Messenger] = {}
    for door in doors:
        messenger = getattr(door, "messenger", None)
        if messenger is not None:
            found[messenger.platform] = messenger
    return found


def connect_doors(doors: list[Door]) -> dict[str, Messenger]:
    """Give every door's delivery the Messengers of all doors, so a reply can go to another platform's chat
    (``/feedback 42 everywhere`` from Slack into a linked Telegram group). Returns the Messengers."""
    messengers = messengers_of(doors)
    for door in doors:
        delivery = getattr(door, "delivery", None)
        if delivery is not None:
            delivery.connect(messengers)
    return messengers


async def serve(doors: list[Door], *, db: Database) -> None:
    from jobs.scheduler import Ticker

    stop = asyncio.Event()
    install_signal_handlers(stop)
    ticker = Ticker(db, connect_doors(doors))
    ticker.start()
    log.info("devrelbot running: %s", ", ".join(d.name for d in doors))
    try:
        await asyncio.gather(*(supervise(d, stop) for d in doors))
    finally:
        ticker.shutdown()
    log.info("devrelbot stopped")


async def run_console(router: Router, *, db: Database) -> None:
    """The console door with the scheduler beside it, so reminders show up in the console too."""
    from bot.console import ConsoleDoor
    from jobs.scheduler import Ticker

    door = ConsoleDoor(router)
    ticker = Ticker(db, {"console": door.messenger})
    ticker.start()
    try:
        await door.run()
    finally:
        ticker.shutdown()
