"""Webhook mode: an aiohttp server (aiohttp is already a dependency) takes Telegram's POSTs, checks the secret
token on every request, and answers 200 only once the update is stored in the inbox (``intake``)."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.correlation import correlated
from bot.telegram.intake import UNAVAILABLE, Intake
from bot.telegram.updates import ALLOWED_UPDATES

log = logging.getLogger(f"devrelbot.{__name__}")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_WEBHOOK_PORT = 8443
# On stop, requests still in flight get this long to finish (aiohttp would wait a minute).
SHUTDOWN_SECONDS = 3.0


async def start_webhook(
    app: Application, intake: Intake, *, url: str, secret: str, host: str, port: int | None
) -> web.AppRunner:
    """Listen on ``url``'s path (``port`` 0: any free port; None: 8443), then tell Telegram to post there."""
    server = web.Application()
    server.router.add_post(urlsplit(url).path or "/", receiver(app, intake, secret))
    runner = web.AppRunner(server, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, DEFAULT_WEBHOOK_PORT if port is None else port).start()
        await app.bot.set_webhook(url=url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
    except BaseException:
        await runner.cleanup()
        raise
    return runner


def receiver(app: Application, intake: Intake, secret: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("webhook request without the right secret token rejected")
            return web.Response(status=403)
        try:
            body = await request.text()
            data = json.loads(body)
            update = Update.de_json(data, app.bot)
        except Exception as error:  # not JSON, or not an update: refuse it, the door goes on
            log.warning("malformed Telegram webhook request refused: %s: %s", type(error).__name__, error)
            return web.Response(status=400)
        try:
            with correlated(str(update.update_id)):
                # 200 only once it is stored (as it came): Telegram keeps it until then
                await intake.accept([data], [body], [update])
        except UNAVAILABLE as error:
            log.warning("database unavailable, webhook update %s refused (Telegram sends it again): %s",
                        update.update_id, type(error).__name__)
            return web.Response(status=503)
        return web.Response(status=200)

    return receive
