"""The one process: database, router, the doors whose credentials are set, all in one event loop.

Each platform door runs under a supervisor (tenacity's retrying loop): if it cannot start or fails later, the
failure is logged and the door is retried with exponential backoff, while the other doors go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential

from bot.inbox import name_replica
from bot.settings import Settings
from handlers import Router
from handlers.core import Messenger
from storage.db import Database
from storage.faults import classify, first_line

if TYPE_CHECKING:
    # Only with METRICS_PORT: the health server's aiohttp and the Prometheus client are imported when one is
    # wanted (health_server, bot.cli.run), not on every start of the console.
    from bot.health import HealthServer
    from bot.metrics import Metrics

log = logging.getLogger(f"devrelbot.{__name__}")


class Door(Protocol):
    name: str

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until ``stop`` is set, then shut down cleanly; raise if the platform fails."""


def build_router(settings: Settings, *, metrics: Metrics | None = None) -> tuple[Database, Router]:
    name_replica(settings.devrelbot_replica)
    db = Database.from_url(settings.database_url, synchronous=settings.sqlite_synchronous)
    wait_for_database(db)
    if metrics is not None:
        metrics.watch_inbox(db)
    return db, Router(
        db,
        default_timezone=settings.default_timezone,
        default_language=settings.default_language,
        on_command=metrics.command_handled if metrics is not None else None,
        on_event=metrics.event_handled if metrics is not None else None,
    )


def health_server(settings: Settings, db: Database, doors: list[Door], metrics: Metrics | None) -> HealthServer | None:
    """The /healthz, /readyz and /metrics server when METRICS_PORT is set (and metrics are collected)."""
    if settings.metrics_port is None or metrics is None:
        return None
    from bot.health import HealthServer

    return HealthServer(db, doors, metrics, port=settings.metrics_port)


def wait_for_database(
    db: Database, *, sleep: Callable[[float], None] = time.sleep, first_delay: float = 1.0, max_delay: float = 60.0
) -> None:
    """Bring the schema up to date; while the database is away (a server not up yet, a file not writable yet),
    say so in one line and try again with backoff, instead of a page of traceback and an exit."""
    delay = first_delay
    while True:
        try:
            db.upgrade()
            return
        except (OperationalError, PoolTimeout) as error:
            fault = classify(error)
            if fault is None:
                raise
            log.warning("database %s at %s: %s — retrying in %.0f s", fault, db.describe(), first_line(error), delay)
            sleep(delay)
            delay = min(delay * 2, max_delay)


def platform_doors(settings: Settings, router: Router, metrics: Metrics | None = None) -> list[Door]:
    """The doors whose credentials are set. SDKs are imported only when their door is wanted."""
    doors: list[Door] = []
    if settings.slack_enabled:
        from bot.slack import SlackDoor

        doors.append(SlackDoor(settings, router, metrics=metrics))
    if settings.telegram_enabled:
        from bot.telegram import TelegramDoor

        doors.append(TelegramDoor(settings, router, metrics=metrics))
    return doors


async def supervise(door: Door, stop: asyncio.Event, *, first_delay: float = 1.0, max_delay: float = 300.0) -> None:
    """Run the door until ``stop`` is set. If it cannot start or fails later, log it and run it again after
    ``first_delay`` seconds, doubling up to ``max_delay``; one platform's failure never takes the others down,
    and ``stop`` ends a wait at once."""

    async def wait_unless_stopped(seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)

    def failed(state: RetryCallState, then: str) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.error("%s door failed: %s: %s — %s", door.name, type(error).__name__, error, then,
                  exc_info=error if log.isEnabledFor(logging.DEBUG) else None)

    retrying = AsyncRetrying(
        retry=retry_if_exception_type(Exception),  # not CancelledError: cancelling the app cancels the door
        wait=wait_exponential(multiplier=first_delay, max=max_delay),
        stop=lambda _state: stop.is_set(),
        sleep=wait_unless_stopped,
        before_sleep=lambda state: failed(state, f"retrying in {state.upcoming_sleep:g} s"),
        retry_error_callback=lambda state: failed(state, "stopping"),
    )
    async for attempt in retrying:
        with attempt:
            if not stop.is_set():  # stopped during the wait: do not start the door again
                await door.run(stop)


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


async def serve(doors: list[Door], *, db: Database, health: HealthServer | None = None,
                deleted_retention: timedelta | None = None) -> None:
    """``deleted_retention``: DELETED_RETENTION_DAYS (housekeeping's default when None)."""
    from jobs.housekeeping import DELETED_RETENTION
    from jobs.scheduler import Ticker

    stop = asyncio.Event()
    install_signal_handlers(stop)
    ticker = Ticker(db, connect_doors(doors), deleted_retention=deleted_retention or DELETED_RETENTION,
                    on_sweep=health.metrics.swept if health is not None else None)
    ticker.start()
    if health is not None:
        await health.start()
    log.info("devrelbot running: %s", ", ".join(d.name for d in doors))
    try:
        await asyncio.gather(*(supervise(d, stop) for d in doors))
    finally:
        if health is not None:
            await health.stop()
        await ticker.stop()
    log.info("devrelbot stopped")


async def run_console(router: Router, *, db: Database, health: HealthServer | None = None,
                      deleted_retention: timedelta | None = None) -> None:
    """The console door with the scheduler beside it, so reminders show up in the console too."""
    from bot.console import ConsoleDoor
    from jobs.housekeeping import DELETED_RETENTION
    from jobs.scheduler import Ticker

    door = ConsoleDoor(router)
    ticker = Ticker(db, {"console": door.messenger}, deleted_retention=deleted_retention or DELETED_RETENTION,
                    on_sweep=health.metrics.swept if health is not None else None)
    ticker.start()
    if health is not None:
        await health.start()
    try:
        await door.run()
    finally:
        if health is not None:
            await health.stop()
        await ticker.stop()
