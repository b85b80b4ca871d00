"""What the history costs on the command path: ``/log`` and ``/update`` through the router with the history
listener on, against the same commands with it off, in interleaved rounds of one run (so machine noise hits
both alike).

    .venv/bin/python bench/bench_history.py [--rounds 20] [--batch 20] [--postgres URL]

Printed: commands/s and p50 per path and command, and the ratio with / without history.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime

from databases import benchmark_databases  # bench/databases.py, beside this file
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

import handlers  # noqa: F401  (registers the commands)
from handlers.core import ChatRef, Incoming, UserRef
from handlers.router import Router, parse_command_line
from storage import history
from storage.db import Database

LOG = '/log talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300 contacts=25 cost=1500 #backend #dba'
UPDATE = "/update 1 audience={n} contacts=30"
CHAT = ChatRef(platform="console", chat_id="bench")
USER = UserRef(platform="console", user_id="u-bench", display_name="bench")
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@contextmanager
def history_off() -> Iterator[None]:
    """The listener removed and the explicit records no-ops (tags' ``record_tags``, ``write_rows``; /log's hot path
    writes the rows ``change_rows`` makes in its own statements, so it makes none): the command path as it was
    before history."""
    event.remove(OrmSession, "after_flush", history._record_flushed)
    saved = history.record_tags, history.write_rows, history.change_rows
    history.record_tags = lambda *args, **kwargs: None  # type: ignore[assignment]
    history.write_rows = lambda *args, **kwargs: None  # type: ignore[assignment]
    history.change_rows = lambda *args, **kwargs: []  # type: ignore[assignment]
    try:
        yield
    finally:
        history.record_tags, history.write_rows, history.change_rows = saved  # type: ignore[assignment]
        event.listen(OrmSession, "after_flush", history._record_flushed)


def command(router: Router, line: str) -> Callable[[], None]:
    def run() -> None:
        name, args = parse_command_line(line)  # type: ignore[misc]
        (reply,) = router.dispatch(Incoming(chat=CHAT, user=USER, command=name, args=args, text=line))
        if reply.is_error:
            raise RuntimeError(f"{line} failed in the benchmark: {reply.text}")

    return run


def p50(samples: list[float]) -> float:
    return sorted(samples)[len(samples) // 2]


def measure(db: Database, label: str, rounds: int, batch: int) -> None:
    router = Router(db, default_timezone="UTC", clock=lambda: NOW)
    command(router, LOG)()  # the team, its member and activity #1 exist from here on
    samples: dict[tuple[str, bool], list[float]] = {(c, on): [] for c in ("log", "update") for on in (True, False)}
    counter = iter(range(10**9))
    for round_ in range(rounds):
        for on in (True, False) if round_ % 2 == 0 else (False, True):  # who goes first alternates
            with history_off() if not on else nullcontext():
                for name in ("log", "update"):
                    for _ in range(batch):
                        run = command(router, LOG if name == "log" else UPDATE.format(n=next(counter)))
                        start = time.perf_counter()
                        run()
                        samples[(name, on)].append(time.perf_counter() - start)
    print(f"{label}: {rounds} interleaved rounds × {batch} commands each")
    for name in ("log", "update"):
        with_, without = p50(samples[(name, True)]), p50(samples[(name, False)])
        print(f"  /{name:<7} with history p50 {with_ * 1000:7.3f} ms   without {without * 1000:7.3f} ms   "
              f"ratio {with_ / without:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--postgres", default=os.environ.get("DEVRELBOT_TEST_POSTGRES_URL"))
    options = parser.parse_args()
    for label, db in benchmark_databases(options.postgres):
        measure(db, label, options.rounds, options.batch)


if __name__ == "__main__":
    main()
