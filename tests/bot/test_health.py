"""/healthz, /readyz and /metrics on the health server, as a load balancer and Prometheus would call them."""

from __future__ import annotations

import asyncio
import io
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families
from rich.console import Console

from bot.console import ConsoleDoor
from bot.health import HealthServer
from bot.metrics import Metrics
from handlers.router import Registry, Request, Router, registry
from storage.db import Database


class StubDoor:
    """A door as the health server sees it: a name and a ``ready`` event."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.ready = asyncio.Event()


@asynccontextmanager
async def serving(db: Database, doors: list[Any], metrics: Metrics | None = None) -> AsyncIterator[HealthServer]:
    server = HealthServer(db, doors, metrics or Metrics(), port=0, host="127.0.0.1")
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def get(server: HealthServer, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{server.bound_port}{path}") as response:
            return response.status, await response.text()


async def get_json(server: HealthServer, path: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{server.bound_port}{path}") as response:
            return response.status, await response.json()


def counter(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0


async def test_healthz_answers_while_the_process_lives(db):
    async with serving(db, []) as server:
        assert await get_json(server, "/healthz") == (200, {"status": "alive"})


async def test_readyz_turns_unready_when_the_database_goes_away_and_ready_again_after(
    migrated_sqlite_template: Path, tmp_path: Path
):
    home = tmp_path / "data"
    home.mkdir()
    shutil.copy(migrated_sqlite_template, home / "devrelbot.db")
    db = Database.from_url(f"sqlite:///{home / 'devrelbot.db'}")
    try:
        async with serving(db, []) as server:
            assert await get_json(server, "/readyz") == (200, {"status": "ready"})

            # The database's directory disappears (a lost volume); pooled connections go with it.
            home.rename(tmp_path / "away")
            db.engine.dispose()
            status, body = await get_json(server, "/readyz")
            assert status == 503
            assert body["status"] == "not ready" and body["database"].startswith("unreachable")
            assert await get_json(server, "/healthz") == (200, {"status": "alive"})  # alive, just not ready

            (tmp_path / "away").rename(home)
            assert await get_json(server, "/readyz") == (200, {"status": "ready"})
    finally:
        db.dispose()


async def test_readyz_names_a_door_that_is_not_connected(db):
    slack, telegram = StubDoor("Slack"), StubDoor("Telegram")
    telegram.ready.set()
    async with serving(db, [slack, telegram]) as server:
        assert await get_json(server, "/readyz") == (
            503,
            {"status": "not ready", "doors": {"Slack": "not connected"}},
        )
        slack.ready.set()
        assert await get_json(server, "/readyz") == (200, {"status": "ready"})


async def test_metrics_count_commands_by_door_and_outcome_through_the_console(db, tmp_path):
    commands = Registry()
    for c in registry.all():
        commands.command(c.name, summary=c.summary, usage=c.usage)(c.handler)

    @commands.command("boom", summary="Always fails", usage="/boom")
    def boom(_request: Request) -> None:
        raise RuntimeError("a bug")

    metrics = Metrics()
    router = Router(db, commands=commands, on_command=metrics.command_handled)
    door = ConsoleDoor(router, stdin=io.StringIO(), console=Console(file=io.StringIO()), out_dir=tmp_path)
    async with serving(db, [], metrics) as server:
        status, before = await get(server, "/metrics")
        assert status == 200
        assert counter(before, "devrelbot_commands_total", door="console", outcome="ok") == 0

        await door.handle_line('/log talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300')
        await door.handle_line("/help")
        await door.handle_line('/log talk "Oops" audience=-1')
        await door.handle_line("/nosuchcommand")
        await door.handle_line("/boom")

        status, after = await get(server, "/metrics")
    assert status == 200
    assert counter(after, "devrelbot_commands_total", door="console", outcome="ok") == 2
    assert counter(after, "devrelbot_commands_total", door="console", outcome="user_error") == 2
    assert counter(after, "devrelbot_commands_total", door="console", outcome="failure") == 1
    assert counter(after, "devrelbot_command_seconds_count", door="console") == 5
    assert counter(after, "devrelbot_command_seconds_bucket", door="console", le="+Inf") == 5
