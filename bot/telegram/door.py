"""The Telegram door's life cycle: a python-telegram-bot ``Application`` in the shared event loop.

``initialize`` / ``start`` and the door's own long polling (``intake``: an offset is confirmed only after its
updates are stored; never ``run_polling``, which would own the loop),
PTB's JobQueue off (the app owns the one scheduler), the bounded rate limiter on (``ratelimit``). Long
polling by default; webhook mode (``webhook``) when TELEGRAM_WEBHOOK_URL is set. What an update does is in
``updates``; the guided /log in ``dialogue``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web
from telegram import BotCommand, Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder, TypeHandler

from bot.delivery import Delivery
from bot.inbox import ADOPT_AFTER, ADOPT_EVERY
from bot.leader import STANDBY_SECONDS, Leadership, replica_id
from bot.settings import Settings
from bot.telegram.buttons import ButtonPayloads
from bot.telegram.intake import Intake, KeptUpdates
from bot.telegram.messenger import DEFAULTS, TelegramMessenger
from bot.telegram.metered import MeteredRequest
from bot.telegram.ratelimit import BoundedRateLimiter
from bot.telegram.render import menu_description
from bot.telegram.updates import ALLOWED_UPDATES, Updates
from bot.telegram.webhook import start_webhook
from handlers.i18n import DEFAULT_LOCALE, LOCALES, use_locale
from handlers.router import Router

if TYPE_CHECKING:
    from bot.metrics import Metrics

__all__ = ["ALLOWED_UPDATES", "TelegramDoor", "file_url"]

log = logging.getLogger(f"devrelbot.{__name__}")

SHUTDOWN_GRACE = 3.0  # seconds the chat workers get to finish on stop; what they leave stays in the inbox


def file_url(base_url: str) -> str:
    """Files live beside the API: ``…/bot`` → ``…/file/bot`` (the official layout, and a local Bot API's)."""
    return base_url[: -len("/bot")] + "/file/bot" if base_url.endswith("/bot") else base_url


class TelegramDoor:
    name = "telegram"

    def __init__(
        self,
        settings: Settings,
        router: Router,
        *,
        dialogue_timeout: float = 600.0,
        poll_timeout: float = 10.0,
        max_rate_limit_wait: float = 60.0,
        network_backoff: float = 1.0,
        webhook_host: str = "0.0.0.0",
        webhook_port: int | None = None,
        standby_seconds: float = STANDBY_SECONDS,
        metrics: Metrics | None = None,
        adopt_every: float = ADOPT_EVERY,
        adopt_after: float = ADOPT_AFTER,
    ) -> None:
        if settings.telegram_bot_token is None:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        self.settings = settings
        self.router = router
        self.poll_timeout = poll_timeout
        self.max_rate_limit_wait = max_rate_limit_wait
        self.network_backoff = network_backoff
        self.webhook_host = webhook_host
        self.webhook_port = webhook_port if webhook_port is not None else settings.telegram_webhook_port
        self.payloads = ButtonPayloads(router.db)
        self.app: Application | None = None
        # Built once: the scheduler takes each door's messenger before the doors start.
        self.messenger = TelegramMessenger(None, self.payloads)
        # The one reply-delivery path; bot/app.py adds the other doors' messengers to it.
        self.delivery = Delivery(router, {"telegram": self.messenger})
        self.updates = Updates(
            router, self.messenger, self.delivery, self.payloads, dialogue_timeout=dialogue_timeout
        )
        self.dialogues = self.updates.dialogues
        self.intake: Intake | None = None
        self.kept_updates: KeptUpdates | None = None  # the application's getUpdates request
        self.standby_seconds = standby_seconds
        self.metrics = metrics
        self.adopt_every, self.adopt_after = adopt_every, adopt_after
        self.leadership: Leadership | None = None  # polling mode: who polls among the replicas
        self.bound_port: int | None = None  # the webhook server's port once it listens (port 0 in tests)
        self.ready = asyncio.Event()

    def build_application(self) -> Application:
        assert self.settings.telegram_bot_token is not None
        base_url = self.settings.telegram_api_base_url.rstrip("/")
        kept = self.kept_updates = KeptUpdates()
        builder = (
            ApplicationBuilder()
            .token(self.settings.telegram_bot_token.get_secret_value())
            .base_url(base_url)
            .base_file_url(file_url(base_url))
            .defaults(DEFAULTS)
            .job_queue(None)
            # getUpdates keeps the JSON it fetched: the inbox stores it as it came (bot/telegram/intake.py)
            .get_updates_request(kept)
            .rate_limiter(
                BoundedRateLimiter(max_wait=self.max_rate_limit_wait, network_backoff=self.network_backoff)
            )
        )
        if self.metrics is not None:  # counts what is sent and what fails
            builder = builder.request(MeteredRequest(self.metrics))
        app = builder.build()
        app.add_handler(TypeHandler(Update, self.updates.on_update))
        app.add_error_handler(self.updates.on_error)
        return app

    def attach(self, app: Application) -> None:
        """Hand the signed-in bot (after ``initialize``, i.e. getMe) to the messenger and the update handling."""
        self.app = app
        self.updates.signed_in(app.bot.id, app.bot.username or "")
        self.messenger.attach(app.bot)

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until ``stop`` is set; raise when Telegram cannot be reached or rejects the token, so the
        supervisor logs it and retries with backoff while the other doors go on."""
        self.ready.clear()
        app = self.app = self.build_application()
        try:
            await app.initialize()  # getMe: a revoked token or an unreachable API fails here
        except InvalidToken:
            raise RuntimeError(
                "Telegram rejected TELEGRAM_BOT_TOKEN (revoked or mistyped); get the token from @BotFather"
            ) from None
        runner: web.AppRunner | None = None
        watched: asyncio.Task[Any] | None = None
        intake = self.intake = Intake(self.router.db, app, delivery_prefix=lambda: str(app.bot.id),
                                      tell_waiting=self.updates.tell_waiting, kept=self.kept_updates,
                                      votes=self.updates)
        try:
            self.attach(app)
            await self._publish_commands(app)
            await app.start()
            await self.dialogues.resume()  # the clocks of guided /log questions asked before this start
            # What this replica's killed process stored but did not finish, now; what a replica that died left,
            # once its lease ran out (bot.inbox).
            async with intake.inbox.running(grace=SHUTDOWN_GRACE, adopt_every=self.adopt_every,
                                            adopt_after=self.adopt_after):
                try:
                    if self.settings.telegram_webhook_url:
                        runner = await self._start_webhook(app, intake)
                    else:
                        # One poller per bot token (Telegram answers a second one 409 Conflict): among replicas on
                        # one PostgreSQL the one holding the lock polls, the others stand by to take over.
                        self.leadership = Leadership(
                            self.router.db, f"telegram-poller:{app.bot.id}", replica=replica_id(),
                            standby_seconds=self.standby_seconds,
                            on_change=self.metrics.leading("telegram_poller", replica_id()) if self.metrics else None,
                        )
                        watched = asyncio.create_task(self.leadership.lead(lambda: self._poll(intake)),
                                                      name="telegram-poll")
                    log.info("Telegram door running as @%s (%s)", self.updates.username,
                             "webhook" if runner else "polling")
                    self.ready.set()
                    await self._serve_until(stop, watched)
                finally:
                    if watched is not None:
                        watched.cancel()
                        await asyncio.wait({watched})
        finally:
            await self._shut_down(app, runner)

    async def _poll(self, intake: Intake) -> None:
        """The leader's work: first what a leader before it stored but did not finish, then long polling.

        Only the poller stores updates, and the poller's lock is free only once the one holding it is gone (its
        connection closed): the rows it left are taken now, whatever their lease (``bot.inbox``) says."""
        await intake.resume(held_or_not=True)
        await intake.poll(timeout=self.poll_timeout, allowed_updates=ALLOWED_UPDATES)

    async def _serve_until(self, stop: asyncio.Event, polling: asyncio.Task[Any] | None) -> None:
        stop_task = asyncio.create_task(stop.wait())
        watched: set[asyncio.Task[Any]] = {stop_task} | ({polling} if polling else set())
        try:
            done, _pending = await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop_task.cancel()
        if polling is not None and polling in done and not stop.is_set():  # the fetch loop ended by itself
            error = None if polling.cancelled() else polling.exception()
            if isinstance(error, InvalidToken):
                raise RuntimeError("Telegram rejected TELEGRAM_BOT_TOKEN while polling (revoked?)")
            raise RuntimeError(f"Telegram polling stopped: {type(error).__name__}: {error}")

    async def _start_webhook(self, app: Application, intake: Intake) -> web.AppRunner:
        url, secret = self.settings.telegram_webhook_url, self.settings.telegram_webhook_secret
        assert url is not None and secret is not None
        runner = await start_webhook(
            app, intake, url=url, secret=secret.get_secret_value(), host=self.webhook_host, port=self.webhook_port
        )
        self.bound_port = runner.addresses[0][1]
        return runner

    async def _shut_down(self, app: Application, runner: web.AppRunner | None) -> None:
        self.dialogues.clear()
        self.messenger.attach(None)
        with contextlib.suppress(Exception):
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
        if runner is not None:
            await runner.cleanup()
        with contextlib.suppress(Exception):
            if app.running:
                await app.stop()
        with contextlib.suppress(Exception):
            await app.shutdown()
        self.ready.clear()

    async def _publish_commands(self, app: Application) -> None:
        """The command menu users see on typing /. A failure here is not worth stopping the door for."""
        # One menu per language: Telegram shows a person the one for their app's language, and the
        # English one (no language_code) to everyone else.
        for locale in LOCALES:
            with use_locale(locale):
                commands = [BotCommand(c.name, menu_description(c)) for c in self.router.commands.all()]
            try:
                await app.bot.set_my_commands(commands, language_code=None if locale == DEFAULT_LOCALE else locale)
            except TelegramError as error:
                log.warning("could not publish the Telegram command menu (%s): %s", locale, error)

