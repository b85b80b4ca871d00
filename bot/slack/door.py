"""The Slack door: builds the AsyncApp and serves it in Socket Mode (SLACK_APP_TOKEN set) or HTTP mode
(Events API and interactivity at /slack/events on SLACK_HTTP_PORT, requests checked with the signing secret).

``run`` checks the bot token first (auth.test) so a revoked token or an unreachable API fails at once with a
clear message; the supervisor in ``bot/app.py`` logs it and retries with backoff while other doors go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.correlation import correlation_id, slack_request_id
from bot.inbox import ADOPT_AFTER, ADOPT_EVERY
from bot.settings import Settings
from bot.slack.files import FileImports
from bot.slack.listeners import UNAVAILABLE, SlackListeners, _guarded
from bot.slack.messenger import SlackMessenger
from bot.slack.metered import MeteredWebClient, metered_copy
from bot.slack.reactions import Reactions
from handlers.router import Router

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    from bot.metrics import Metrics

log = logging.getLogger(f"devrelbot.{__name__}")
# On stop, requests still in flight get this long to finish (aiohttp would wait a minute).
SHUTDOWN_SECONDS = 3.0

EVENTS_PATH = "/slack/events"
DEFAULT_HTTP_PORT = 3000


class SlackStartError(RuntimeError):
    """The door cannot start; the message says what to fix. It never contains a token."""


def build_client(settings: Settings, metrics: Metrics | None = None) -> AsyncWebClient:
    """The Web API client: honours SLACK_API_BASE_URL, retries 429 after Retry-After, 5xx and dropped
    connections (slack-sdk's own retry handlers), so a rate-limited message is delayed, not lost."""
    if settings.slack_bot_token is None:
        raise SlackStartError("SLACK_BOT_TOKEN is not set")
    base_url = settings.slack_api_base_url
    return MeteredWebClient(
        metrics=metrics,
        token=settings.slack_bot_token.get_secret_value(),
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )


@contextlib.asynccontextmanager
async def shared_session(client: AsyncWebClient) -> AsyncIterator[None]:
    """One aiohttp session (one connection pool) for every Web API call while the door runs: without it
    slack-sdk opens a session, and a connection, per call. bolt's per-request clients take the same session."""
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=client.timeout))
    client.session = session
    try:
        yield
    finally:
        client.session = None  # calls after the door stopped (a late reminder) open their own again
        await session.close()


def build_app(settings: Settings, client: AsyncWebClient, listeners: SlackListeners) -> AsyncApp:
    signing_secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret,
        # Socket Mode requests need no signature; HTTP mode without a secret is refused in SlackDoor.run.
        request_verification_enabled=bool(signing_secret),
        logger=logging.getLogger("bot.slack.bolt"),
        # Acknowledged means stored: Slack gets its 200 (or its Socket Mode ack) only after the listener has
        # committed what arrived. bolt's default acks an event before its listener even starts.
        process_before_response=True,
    )
    app.use(_Correlate(client.metrics if isinstance(client, MeteredWebClient) else None))
    listeners.register(app)
    app.error(_refuse_unreadable)
    return app


class _Correlate(AsyncMiddleware):
    """Everything logged for this request carries its event_id or trigger_id (bot/correlation.py); with
    ``metrics``, the ``client`` bolt hands the listeners (one it builds per request, a plain ``AsyncWebClient``:
    the /log modal's ``views.update``, App Home's ``views.publish``) is counted like the door's own client.

    bolt runs its middleware one after the other, then the listener, all in the request's task (its ``next``
    only says "go on"): so the value is set, not reset around ``next``, and the next request sets its own. One
    middleware for both, and a class, not a function: each one bolt runs costs every request, and a function's
    arguments bolt builds by inspecting it, on every request."""

    def __init__(self, metrics: Metrics | None) -> None:
        self.metrics = metrics

    async def async_process(self, *, req: AsyncBoltRequest, resp: BoltResponse,
                            next: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse | None:  # noqa: A002
        correlation_id.set(slack_request_id(req.body))
        if self.metrics is not None:
            req.context["client"] = metered_copy(req.context.client, self.metrics)
        return await next()


async def _refuse_unreadable(error: Exception, response: Any = None) -> None:
    """A listener failed on a payload it could not make sense of (a field missing or of the wrong type; the
    listeners themselves never raise for a command's own errors): log it and answer 400, not 500.

    The database away (locked past the busy timeout, unreachable) is different: answer 503, so the event is
    not acknowledged and Slack sends it again later."""
    if isinstance(error, UNAVAILABLE):
        log.warning("Slack: database unavailable, request not acknowledged (Slack retries it): %s",
                    type(error).__name__)
        if response is not None:
            response.status = 503
        return
    log.warning("Slack: ignored a request the door could not handle: %s: %s", type(error).__name__, error,
                exc_info=log.isEnabledFor(logging.DEBUG))
    if response is not None:
        response.status = 400


class SlackDoor:
    name = "slack"

    def __init__(self, settings: Settings, router: Router, *, host: str = "0.0.0.0", port: int | None = None,
                 metrics: Metrics | None = None, adopt_every: float = ADOPT_EVERY,
                 adopt_after: float = ADOPT_AFTER) -> None:
        self.settings = settings
        self.adopt_every, self.adopt_after = adopt_every, adopt_after
        self.router = router
        self.host = host
        self.port = port if port is not None else (settings.slack_http_port or DEFAULT_HTTP_PORT)
        self.client = build_client(settings, metrics)
        self.messenger = SlackMessenger(self.client)
        self.listeners = SlackListeners(router, self.messenger, namespace=settings.slack_command)
        self.delivery = self.listeners.delivery
        self.app = build_app(settings, self.client, self.listeners)
        # /plan import with a CSV shared in a message (slash commands cannot carry files): docs/plan.md
        assert settings.slack_bot_token is not None  # build_client checked it
        self.file_imports = FileImports(
            self.listeners, token=settings.slack_bot_token.get_secret_value(), api_base_url=settings.slack_api_base_url
        )
        self.app.event("message")(_guarded(self.file_imports.on_message))
        # HTTP mode: reaction events go from the request straight to their listener (bot/slack/reactions.py)
        secret = settings.slack_signing_secret
        self.reactions = Reactions(secret.get_secret_value(), self.listeners) if secret is not None else None
        self.bound_port: int | None = None  # the HTTP port actually bound (tests bind port 0)
        self.ready = asyncio.Event()

    @property
    def mode(self) -> str:
        return "socket" if self.settings.slack_app_token is not None else "http"

    async def run(self, stop: asyncio.Event) -> None:
        if self.mode == "http" and self.settings.slack_signing_secret is None:
            raise SlackStartError(
                "set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode) — see docs/slack.md"
            )
        async with shared_session(self.client):
            try:
                await self.check_token()
                # Commands, clicks and forms this replica's stopped process acknowledged and did not finish, now;
                # those a replica that died left, once its lease ran out (the Telegram door's rule, in bot.inbox).
                # On the way out, after the server stopped taking requests: what is still running gets a moment
                # (its Web API calls need the shared session), the rest stays in the inbox.
                async with self.listeners.received.running(grace=SHUTDOWN_SECONDS, adopt_every=self.adopt_every,
                                                           adopt_after=self.adopt_after):
                    if self.mode == "socket":
                        await self._serve_socket_mode(stop)
                    else:
                        await self._serve_http(stop)
            finally:
                await self.listeners.close()

    async def check_token(self) -> None:
        try:
            auth = await self.client.auth_test()
        except SlackApiError as error:
            raise SlackStartError(
                f"Slack refused SLACK_BOT_TOKEN ({error.response.get('error')}); check it in .env (docs/slack.md)"
            ) from None
        except (aiohttp.ClientError, TimeoutError) as error:
            raise SlackStartError(
                f"cannot reach the Slack API at {self.settings.slack_api_base_url}: {type(error).__name__}: {error}"
            ) from None
        self.listeners.bot_user_id = auth.get("user_id")
        log.info("Slack: signed in as %s to workspace %s (%s mode)", auth.get("user"), auth.get("team"), self.mode)

    async def _serve_http(self, stop: asyncio.Event) -> None:
        web_app = web.Application()
        web_app.router.add_post(EVENTS_PATH, self.handle_http)
        runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            try:
                await site.start()
            except OSError as error:
                raise SlackStartError(f"cannot listen on port {self.port}: {error.strerror}") from None
            self.bound_port = runner.addresses[0][1]
            log.info("Slack: HTTP mode, listening on %s:%s%s", self.host, self.bound_port, EVENTS_PATH)
            self.ready.set()
            await stop.wait()
        finally:
            self.ready.clear()
            await runner.cleanup()

    async def handle_http(self, request: web.Request) -> web.Response:
        """Slack's request → bolt (signature check, ack within 3 s) → Slack's response; a reaction event takes
        the short way (``bot.slack.reactions``)."""
        if self.reactions is not None:
            answer = await self.reactions.handle(await request.read(), request.headers)
            if answer is not None:
                return answer
        try:
            bolt_response = await self.app.async_dispatch(await to_bolt_request(request))
        except Exception as error:  # a body bolt cannot parse: refuse it, the door goes on
            log.warning("Slack: refused a malformed request: %s: %s", type(error).__name__, error)
            return web.Response(status=400)
        return await to_aiohttp_response(bolt_response)

    def socket_mode_handler(self) -> AsyncSocketModeHandler:
        """The Socket Mode adapter over the same AsyncApp, hence over the same listeners (imported here: only
        Socket Mode needs the websocket client)."""
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        assert self.settings.slack_app_token is not None
        return AsyncSocketModeHandler(
            self.app, app_token=self.settings.slack_app_token.get_secret_value(), web_client=self.client
        )

    async def _serve_socket_mode(self, stop: asyncio.Event) -> None:
        handler = self.socket_mode_handler()
        try:
            try:
                await handler.connect_async()
            except SlackApiError as error:
                raise SlackStartError(
                    f"Slack refused SLACK_APP_TOKEN ({error.response.get('error')}); it needs the "
                    "connections:write scope (docs/slack.md)"
                ) from None
            log.info("Slack: Socket Mode connected")
            self.ready.set()
            await stop.wait()
        finally:
            self.ready.clear()
            await handler.close_async()
