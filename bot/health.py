"""Health, readiness and metrics over HTTP (aiohttp), on ``METRICS_PORT``, for a load balancer, an
orchestrator and Prometheus.

``/healthz``: the process lives (always 200 while the loop runs). ``/readyz``: 200 only when the database
answers ``SELECT 1`` and every configured door says it is connected (its ``ready`` event); otherwise 503 with a
short JSON body naming what is not ready. ``/metrics``: the Prometheus text format.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from bot.metrics import Metrics
from storage.db import Database

log = logging.getLogger(f"devrelbot.{__name__}")

# A readiness probe must answer quickly even when the database hangs: past this, the database counts as down.
DATABASE_TIMEOUT = 2.0
# On stop, a scrape still in flight gets this long to finish (aiohttp would wait a minute).
_SHUTDOWN_TIMEOUT = 2.0


def database_answers(db: Database) -> None:
    """Raise unless the database answers ``SELECT 1`` (blocking: run it in a thread)."""
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def door_connected(door: object) -> bool:
    """A door that keeps a ``ready`` event (Slack, Telegram) is connected while it is set; one without (a
    test double) counts as connected."""
    ready = getattr(door, "ready", None)
    return ready is None or bool(ready.is_set())


class HealthServer:
    def __init__(
        self, db: Database, doors: Sequence[object], metrics: Metrics, *, port: int, host: str = "0.0.0.0"
    ) -> None:
        self.db = db
        self.doors = list(doors)
        self.metrics = metrics
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        app.router.add_get("/metrics", self.metrics_page)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None, shutdown_timeout=_SHUTDOWN_TIMEOUT)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        log.info("health and metrics on port %s (/healthz, /readyz, /metrics)", self.bound_port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def bound_port(self) -> int:
        """The port actually listened on (tests bind port 0 and ask)."""
        if self._runner is None:
            raise RuntimeError("the health server is not running")
        for address in self._runner.addresses:
            if isinstance(address, tuple):
                return int(address[1])
        raise RuntimeError("the health server has no TCP address")

    async def healthz(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def readyz(self, _request: web.Request) -> web.Response:
        problems: dict[str, Any] = {}
        try:
            await asyncio.wait_for(asyncio.to_thread(database_answers, self.db), timeout=DATABASE_TIMEOUT)
        except Exception as error:
            # The type only: a driver's message can carry the database URL, password included.
            problems["database"] = f"unreachable ({type(error).__name__})"
        down = [str(getattr(door, "name", "door")) for door in self.doors if not door_connected(door)]
        if down:
            problems["doors"] = {name: "not connected" for name in down}
        if problems:
            return web.json_response({"status": "not ready", **problems}, status=503)
        return web.json_response({"status": "ready"})

    async def metrics_page(self, _request: web.Request) -> web.Response:
        body = await asyncio.to_thread(self.metrics.exposition)  # the inbox gauges read the database
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
