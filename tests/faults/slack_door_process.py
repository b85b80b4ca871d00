"""A Slack door process for the kill tests: HTTP mode (or, with ``socket``, Socket Mode connected to the fake's
websocket) against a fake Web API until SIGTERM. It prints the port it listens on (``PORT n``; ``PORT None`` in
Socket Mode) once it is ready.

    python -m tests.faults.slack_door_process DB_URL API_BASE_URL [socket]
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import Any

import handlers  # noqa: F401  (registers the commands)
from handlers.router import Router
from storage.db import Database
from tests.doors import make_slack_door
from tests.fakes.slack_api import FakeSlackAPI

APP_TOKEN = "xapp-1-A0APP-0000000000000-testtesttesttesttesttest"


def main(url: str, api_url: str, mode: str = "http") -> None:
    api = FakeSlackAPI()
    api.base = api_url.removesuffix("/api/")  # only its address is used: the fake itself runs in the test
    db = Database.from_url(url)
    socket: dict[str, Any] = {"slack_app_token": APP_TOKEN, "slack_signing_secret": None} if mode == "socket" else {}
    door = make_slack_door(api, Router(db), **socket)
    if lease := os.environ.get("TEST_INBOX_LEASE"):  # how long its inbox rows are held (a takeover test)
        door.adopt_after = float(lease)

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
