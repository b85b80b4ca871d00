"""The Slack load generator of ``bench_reactions.py``, run as a process of its own (so it never shares the door's
interpreter): signed ``reaction_added`` / ``reaction_removed`` events POSTed to a door's Events API endpoint,
many people at once, each person's next event once the previous one got its 200 (as one person's clicks go).

    python bench/slack_load.py URL CARD_TS --seconds 20 --warmup 5 --concurrency 64 --people-prefix UA

Prints one JSON line: events answered 200 inside the measured window (after the warm-up), the window, how many
were not answered 200, and the votes the database must hold afterwards (voter → score).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the fakes' signing lives in tests/
from bench.workload import SLACK_NAMES, expected_score, script  # noqa: E402
from tests.fakes.slack_api import BOT_USER_ID, TEAM_ID, sign  # noqa: E402

CHANNEL = "C0GENERAL"


def envelope(kind: str, emoji: str, user: str, event_id: str, card_ts: str) -> str:
    event = {"type": kind, "user": user, "reaction": SLACK_NAMES[emoji], "event_ts": f"{time.time():.6f}",
             "item": {"type": "message", "channel": CHANNEL, "ts": card_ts}, "item_user": BOT_USER_ID}
    return json.dumps({
        "token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0APP", "event": event, "type": "event_callback",
        "event_id": event_id, "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
    })


class Load:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rng = random.Random(args.seed)
        self.ids = itertools.count(1)
        self.expected: dict[str, int] = {}
        self.completions: list[float] = []  # when each 200 arrived
        self.failed = 0
        self.people = 0
        self.redelivered = 0

    async def deliver(self, http: aiohttp.ClientSession, body: str, *, retry: bool = False) -> None:
        headers = {"Content-Type": "application/json", **sign(body)}
        if retry:  # what Slack adds when it sends an event again
            headers |= {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        async with http.post(self.args.url, data=body.encode(), headers=headers) as response:
            await response.read()
            if response.status == 200:
                self.completions.append(time.perf_counter())
            else:
                self.failed += 1

    async def person(self, http: aiohttp.ClientSession, n: int) -> None:
        user = f"{self.args.people_prefix}{n:07d}"
        steps = script(self.rng)
        sent: list[str] = []
        for step in steps:
            if step.replay_of is not None:
                self.redelivered += 1
                await self.deliver(http, sent[step.replay_of], retry=True)
                continue
            # A changed vote on Slack: the new reaction is added, then the old one removed.
            for kind, emoji in (("reaction_added", step.added), ("reaction_removed", step.removed)):
                if emoji is None:
                    continue
                body = envelope(kind, emoji, user, f"Ev{self.args.people_prefix}{next(self.ids):010d}",
                                self.args.card_ts)
                sent.append(body)
                if step.twice:  # the retry races the original: both answered, counted once
                    self.redelivered += 1
                    await asyncio.gather(self.deliver(http, body), self.deliver(http, body, retry=True))
                else:
                    await self.deliver(http, body)
        score = expected_score(steps)
        if score is not None:
            self.expected[f"slack:{user}"] = score
        self.people += 1

    async def run(self) -> dict[str, Any]:
        args = self.args
        people = itertools.count()
        start = time.perf_counter()
        window_start, window_end = start + args.warmup, start + args.warmup + args.seconds
        connector = aiohttp.TCPConnector(limit=args.concurrency * 2)
        async with aiohttp.ClientSession(connector=connector) as http:

            async def lane() -> None:
                while time.perf_counter() < window_end:
                    await self.person(http, next(people))

            await asyncio.gather(*(lane() for _ in range(args.concurrency)))
        measured = sum(1 for t in self.completions if window_start <= t < window_end)
        return {"events": measured, "window": args.seconds, "all_events": len(self.completions),
                "failed": self.failed, "people": self.people, "redelivered": self.redelivered,
                "expected": self.expected}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("card_ts")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--people-prefix", default="UA")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(Load(args).run())), flush=True)


if __name__ == "__main__":
    main()

