"""The platforms' APIs for ``bench_reactions.py``, run as a process of their own so that they never share the
measured door's interpreter, and answering no faster than the real ones (each call waits a latency drawn
around ``--latency-ms``: the Web API and the Bot API are a network round trip away).

    python bench/fake_services.py slack --latency-ms 80
    python bench/fake_services.py telegram --latency-ms 30

Prints ``ready URL`` once it listens; runs until its standard input closes. The Telegram one is also the load
generator: ``POST /bench/load`` makes a stream of reaction updates (see ``workload.py``) served by getUpdates
in batches of at most 100, as Telegram serves them — and every ``--redeliver-every``-th batch is served a
second time, as after a confirmation that got lost, while the first copy is still being handled.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import random
import sys
import time
from pathlib import Path
from typing import Any

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the fakes live in tests/
from bench.workload import expected_score, script  # noqa: E402
from tests.fakes.slack_api import FakeSlackAPI  # noqa: E402
from tests.fakes.telegram_api import FakeBotApi, tg_chat, tg_user  # noqa: E402

GETUPDATES_LIMIT = 100  # Telegram's default and maximum batch


def jittered(latency: float) -> float:
    return random.uniform(0.5 * latency, 1.5 * latency)


class SlowSlackAPI(FakeSlackAPI):
    def __init__(self, latency: float) -> None:
        super().__init__()
        self.typical_latency = latency

    async def _api(self, request: web.Request) -> web.Response:
        await asyncio.sleep(jittered(self.typical_latency))
        response = await super()._api(request)
        self.calls.clear()  # nobody reads them here; a long run must not keep them all
        return response


class LoadedBotApi(FakeBotApi):
    def __init__(self, latency: float, redeliver_every: int) -> None:
        super().__init__()
        self.typical_latency = latency
        self.redeliver_every = redeliver_every
        self.stream: collections.deque[dict[str, Any]] = collections.deque()
        self.next_update_id = 1
        self.batches = 0
        self.redelivered = 0
        self.last_batch: list[dict[str, Any]] = []
        self.resend_pending = False

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/bench/push", self._push)
        app.router.add_post("/bench/load", self._load)
        app.router.add_get("/bench/stats", self._stats)

    async def _handle(self, request: web.Request) -> web.Response:
        await asyncio.sleep(jittered(self.typical_latency))
        response = await super()._handle(request)
        self.calls.clear()
        return response

    async def _get_updates(self, params: dict[str, str]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        self.confirmed_below = max(self.confirmed_below, offset)
        if self.resend_pending and self.last_batch:
            # The confirmation of the last batch "got lost": Telegram sends it again, while the door may still
            # be handling the first copy.
            self.resend_pending = False
            self.redelivered += len(self.last_batch)
            return list(self.last_batch)
        while self.stream and self.stream[0]["update_id"] < offset:
            self.stream.popleft()
        limit = min(int(params.get("limit") or GETUPDATES_LIMIT), GETUPDATES_LIMIT)
        await self.long_poll(params, lambda: bool(self.stream))
        batch = [self.stream[i] for i in range(min(limit, len(self.stream)))]
        if batch:
            self.batches += 1
            self.last_batch = batch
            self.resend_pending = self.redeliver_every > 0 and self.batches % self.redeliver_every == 0
        return batch

    def _append(self, update: dict[str, Any]) -> None:
        update["update_id"] = self.next_update_id
        self.next_update_id += 1
        self.stream.append(update)

    async def _push(self, request: web.Request) -> web.Response:
        """Raw updates (the setup's commands)."""
        for update in await request.json():
            self._append(update)
        await self._notify()
        return web.json_response({"ok": True})

    async def _load(self, request: web.Request) -> web.Response:
        """``people`` people react to one message, ``lanes`` of them interleaved at a time; each person's
        updates stay in order. Answers how many updates were made and the votes they must leave."""
        spec = await request.json()
        rng = random.Random(spec["seed"])
        chat = tg_chat(spec["chat_id"])
        expected: dict[str, int] = {}
        made = 0
        first, people, lanes = spec["first_user"], spec["people"], spec.get("lanes", 64)
        for start in range(first, first + people, lanes):
            scripts = {uid: script(rng) for uid in range(start, min(start + lanes, first + people))}
            current: dict[int, list[str]] = {uid: [] for uid in scripts}
            for step_no in range(max(len(s) for s in scripts.values())):
                for uid, steps in scripts.items():
                    if step_no >= len(steps) or steps[step_no].replay_of is not None:
                        continue  # a late copy is Telegram's batch resend here (see _get_updates)
                    step, old = steps[step_no], current[uid]
                    new = [e for e in old if e != step.removed] + ([step.added] if step.added else [])
                    current[uid] = new
                    self._append({"message_reaction": {
                        "chat": chat, "message_id": spec["message_id"], "user": tg_user(uid, f"p{uid}"),
                        "date": int(time.time()),
                        "old_reaction": [{"type": "emoji", "emoji": e} for e in old],
                        "new_reaction": [{"type": "emoji", "emoji": e} for e in new],
                    }})
                    made += 1
            for uid, steps in scripts.items():
                score = expected_score(steps)
                if score is not None:
                    expected[f"telegram:{uid}"] = score
        await self._notify()
        return web.json_response({"updates": made, "expected": expected})

    async def _stats(self, request: web.Request) -> web.Response:
        return web.json_response({"redelivered": self.redelivered, "batches": self.batches,
                                  "confirmed_below": self.confirmed_below, "left": len(self.stream)})


async def serve(kind: str, latency: float, redeliver_every: int) -> None:
    if kind == "slack":
        slack = SlowSlackAPI(latency)
        await slack.start()
        url, stop = slack.api_url, slack.stop
    else:
        telegram = LoadedBotApi(latency, redeliver_every)
        url, stop = await telegram.start(), telegram.close
    print(f"ready {url}", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # the bench closes our stdin when it is done
    await stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["slack", "telegram"])
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--redeliver-every", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(serve(args.kind, args.latency_ms / 1000, args.redeliver_every))


if __name__ == "__main__":
    main()

