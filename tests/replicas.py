"""Several ``devrelbot run`` processes on one PostgreSQL behind a small round-robin proxy, as docs/deploy.md
runs them (nginx in front there): Slack in HTTP mode and Telegram in webhook mode on every replica, against the
local fakes. Used by the replica test (tests/faults/test_replicas.py) and the benchmark (bench/bench_replicas.py).

The load is sent the way the platforms send it: a Slack event or a Telegram update is sent again until it is
acknowledged (HTTP 200); a Slack slash command is sent once (Slack shows the person an error and does not retry).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import socket
import sys
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.slack_api import BOT_TOKEN, SIGNING_SECRET, FakeSlackAPI, command_payload, sign
from tests.fakes.telegram_api import TOKEN, FakeBotApi

WEBHOOK_PATH = "/telegram"
WEBHOOK_SECRET = "replica-test-secret"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def schema_url(url: str, schema: str) -> str:
    """A DATABASE_URL that keeps a process in one PostgreSQL schema (libpq's ``options``)."""
    return f"{url}?options=" + urllib.parse.quote(f"-csearch_path={schema}")


@dataclass
class Replica:
    """One ``devrelbot run`` process with its own ports; killed and started again on the same ports."""

    name: str
    env: dict[str, str]
    log_path: Path
    slack_port: int = field(default_factory=free_port)
    telegram_port: int = field(default_factory=free_port)
    metrics_port: int = field(default_factory=free_port)
    process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        # Its own name (docs/deploy.md): all run on this one host, and a replica started again takes its own rows.
        env = {**self.env, "SLACK_HTTP_PORT": str(self.slack_port), "TELEGRAM_WEBHOOK_PORT": str(self.telegram_port),
               "METRICS_PORT": str(self.metrics_port), "DEVRELBOT_REPLICA": self.name}
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=env, cwd=self.log_path.parent,
                stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log,
            )

    async def wait_ready(self, session: aiohttp.ClientSession, *, timeout: float = 90.0) -> None:
        """Until /readyz says ready (the database answers, both doors connected)."""
        deadline = time.monotonic() + timeout
        while True:
            assert self.process is not None and self.process.returncode is None, f"{self.name} exited: {self.log()}"
            try:
                async with session.get(f"http://127.0.0.1:{self.metrics_port}/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            assert time.monotonic() < deadline, f"{self.name} did not get ready: {self.log()}"
            await asyncio.sleep(0.2)

    async def stop(self, how: signal.Signals = signal.SIGTERM, *, timeout: float = 30.0) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(how)
        try:
            await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    async def metrics(self, session: aiohttp.ClientSession) -> str:
        async with session.get(f"http://127.0.0.1:{self.metrics_port}/metrics") as response:
            return await response.text()

    def log(self, tail: int = 3000) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-tail:]


def replica_env(database_url: str, slack: FakeSlackAPI, telegram: FakeBotApi) -> dict[str, str]:
    """The settings of every replica: the same database and the same platforms (docs/deploy.md)."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR", "PYTHONPATH")}
    return {
        **keep,
        "PYTHONPATH": os.pathsep.join([str(ROOT), keep.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_BASE_URL": slack.api_url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        "TELEGRAM_WEBHOOK_URL": f"https://devrelbot.test{WEBHOOK_PATH}",
        "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
    }


class RoundRobinProxy:
    """What nginx does in docs/deploy.md, in a few lines: each request to the next replica in turn; a replica
    that refuses the connection (down) is skipped, as ``proxy_next_upstream error`` does; one that drops a
    request it had taken is answered 502, and the sender decides whether to send again."""

    def __init__(self, replicas: list[Replica]) -> None:
        self.replicas = replicas
        self._turn = itertools.count()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.port = 0

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/slack/events", self._forward)
        app.router.add_post(WEBHOOK_PATH, self._forward)
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return f"http://127.0.0.1:{self.port}"

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        for _ in range(len(self.replicas)):
            replica = self.replicas[next(self._turn) % len(self.replicas)]
            port = replica.slack_port if request.path == "/slack/events" else replica.telegram_port
            try:
                async with self._session.post(f"http://127.0.0.1:{port}{request.path}", data=body,
                                              headers=headers) as answer:
                    return web.Response(status=answer.status, body=await answer.read(),
                                        content_type=answer.content_type)
            except aiohttp.ClientConnectorError:
                continue  # not listening: the request never reached it, the next replica takes it
            except (aiohttp.ClientError, TimeoutError):
                return web.Response(status=502)
        return web.Response(status=502)


@dataclass
class Sender:
    """Slack and Telegram, as the proxy sees them."""

    base_url: str
    slack: FakeSlackAPI
    session: aiohttp.ClientSession
    attempts: int = 40
    retry_pause: float = 0.25
    telegram_path: str = WEBHOOK_PATH
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    resent: int = 0  # deliveries sent again after a failed attempt

    async def _post(self, path: str, body: str, headers: Mapping[str, str]) -> int:
        try:
            async with self.session.post(self.base_url + path, data=body.encode(), headers=dict(headers)) as answer:
                await answer.read()
                return answer.status
        except (aiohttp.ClientError, TimeoutError):
            return 0

    async def until_acknowledged(self, path: str, body: str, headers: Mapping[str, str],
                                 retry_headers: Mapping[str, str] | None = None) -> bool:
        for attempt in range(self.attempts):
            extra = dict(retry_headers or {}) if attempt else {}
            if await self._post(path, body, {**headers, **extra}) == 200:
                return True
            self.resent += 1
            await asyncio.sleep(self.retry_pause)
        return False

    async def telegram(self, update: dict[str, Any]) -> bool:
        """A webhook update, sent again until a replica answers 200 (as Telegram does)."""
        return await self.until_acknowledged(
            self.telegram_path, json.dumps(update), {"Content-Type": "application/json", SECRET_HEADER: WEBHOOK_SECRET})

    async def slack_event(self, event: dict[str, Any], *, event_id: str, team_id: str) -> bool:
        """An Events API delivery, sent again with X-Slack-Retry-Num until acknowledged (as Slack does)."""
        envelope = {"token": "legacy", "team_id": team_id, "api_app_id": "A0APP", "event": event,
                    "type": "event_callback", "event_id": event_id, "event_time": int(time.time())}
        body = json.dumps(envelope)
        return await self.until_acknowledged(
            "/slack/events", body, {"Content-Type": "application/json", **sign(body)},
            retry_headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"})

    async def slack_command(self, command: str, text: str, *, user: str = "UALICE",
                            channel: str = "C0GENERAL") -> bool:
        """A slash command, sent once; True when it was acknowledged."""
        form = urllib.parse.urlencode(command_payload(self.slack, command, text, user=user, channel=channel,
                                                      n=next(self._numbers)))
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(form)}
        return await self._post("/slack/events", form, headers) == 200


async def bounded(concurrency: int, jobs: list[Any]) -> list[Any]:
    """Run the coroutines at most ``concurrency`` at a time; their results in order."""
    gate = asyncio.Semaphore(concurrency)

    async def one(job: Any) -> Any:
        async with gate:
            return await job

    return await asyncio.gather(*(one(job) for job in jobs))
