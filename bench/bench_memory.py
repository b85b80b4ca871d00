"""Memory: resident set size (VmRSS) of one process running the bot's command path and the weekly digest —
after the first 100 commands, then after 10,000 commands and 100 digests (no leaked figures, sessions or
caches: the second figure stays within 1.5× of the first).

    .venv/bin/python bench/bench_memory.py [--commands 10000] [--digests 100] [--trace]

The commands are a fixed mix of /log, /list, /show, /stats and /update through ``Router.dispatch`` on a file
SQLite database; every ``commands / digests`` commands the team's digest is built with its chart
(``build_report(..., with_chart=True)``), so the first window of 100 commands already holds one digest and
the libraries it loads (matplotlib). ``--trace`` also prints the ten biggest allocation sites that grew
between the two points (tracemalloc; it slows the run and adds its own memory, so it is off by default).
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import tempfile
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import select

import handlers  # noqa: F401  (registers the commands)
from handlers.core import ChatRef, Incoming, UserRef
from handlers.digest_content import build_report, last_full_week
from handlers.router import Router, parse_command_line
from storage.db import Database
from storage.models import Team

CHAT = ChatRef(platform="console", chat_id="bench")
PEOPLE = [UserRef(platform="console", user_id=f"u{i}", display_name=f"person{i}") for i in range(5)]
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TARGET = 1.5


def rss_mib() -> float:
    """VmRSS from /proc (Linux); the peak from getrusage elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def settled_rss() -> float:
    gc.collect()
    return rss_mib()


def command_lines(rng: random.Random) -> Callable[[int], str]:
    """The i-th command of the mix; ids refer to activities logged earlier in the run."""
    kinds = ("talk", "meetup", "post", "tweet", "workshop")
    logged: list[str] = []  # the kind of activity #1, #2, …

    def line(i: int) -> str:
        roll = rng.random()
        if not logged or roll < 0.30:
            kind = rng.choice(kinds)
            logged.append(kind)
            day = (START - timedelta(days=rng.randrange(0, 90))).date().isoformat()
            numbers = (f"audience={rng.randrange(10, 900)} contacts={rng.randrange(0, 40)}"
                       if kind in ("talk", "meetup", "workshop") else f"views={rng.randrange(100, 90_000)}")
            cost = rng.randrange(0, 2000)
            return f'/log {kind} "Memory bench {i}" @ Venue{i % 7} {day} {numbers} cost={cost} #tag{i % 5}'
        target = rng.randrange(1, len(logged) + 1)
        if roll < 0.50:
            return rng.choice(("/list", "/list month", "/list talk quarter", "/list all #tag1"))
        if roll < 0.70:
            return f"/show {target}"
        if roll < 0.85:
            return rng.choice(("/stats", "/stats week", "/stats quarter"))
        if logged[target - 1] in ("post", "tweet"):
            return f"/update {target} views={rng.randrange(100, 90_000)} likes={rng.randrange(0, 500)}"
        return f"/update {target} audience={rng.randrange(10, 900)} contacts={rng.randrange(0, 40)}"

    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commands", type=int, default=10_000)
    parser.add_argument("--digests", type=int, default=100)
    parser.add_argument("--trace", action="store_true", help="tracemalloc: the allocation sites that grew")
    args = parser.parse_args()
    every = max(1, args.commands // max(1, args.digests))

    with tempfile.TemporaryDirectory() as tmp:
        db = Database.from_url(f"sqlite:///{Path(tmp) / 'bench.db'}")
        db.upgrade()
        clock = [START]
        router = Router(db, default_timezone="UTC", clock=lambda: clock[0])
        line = command_lines(random.Random(8))
        digests = errors = 0
        baseline: float | None = None
        snapshot = None
        start_rss = settled_rss()
        if args.trace:
            tracemalloc.start(10)

        def digest() -> None:
            nonlocal digests
            with db.session() as session:
                team = session.exec(select(Team)).first()
                assert team is not None
                report = build_report(session, team=team, period=last_full_week(clock[0], team), now=clock[0],
                                      with_chart=True)
            if report.chart is None:
                raise RuntimeError("the digest had no chart")
            digests += 1

        for i in range(args.commands):
            text = line(i)
            name, rest = parse_command_line(text)  # type: ignore[misc]
            user = PEOPLE[i % len(PEOPLE)]
            for reply in router.dispatch(Incoming(chat=CHAT, user=user, command=name, args=rest, text=text)):
                errors += reply.is_error
            clock[0] += timedelta(seconds=30)
            if (i + 1) % every == 0 and digests < args.digests:
                digest()
            if i + 1 == 100:
                baseline = settled_rss()
                if args.trace:
                    snapshot = tracemalloc.take_snapshot()
        while digests < args.digests:
            digest()
        final = settled_rss()
        db.dispose()

    assert baseline is not None, "run at least 100 commands"
    ratio = final / baseline
    verdict = "within" if ratio <= TARGET else "NOT within"
    print(f"Memory (VmRSS), one process, file SQLite; {args.commands} commands "
          f"(/log /list /show /stats /update), {digests} digests with chart, {errors} error replies")
    print(f"  at start (imports, empty database)        {start_rss:8.1f} MiB")
    print(f"  after the first 100 commands (1 digest)   {baseline:8.1f} MiB")
    print(f"  after {args.commands} commands and {digests} digests  {final:8.1f} MiB")
    print(f"  ratio {ratio:.2f}x — {verdict} the {TARGET}x target")
    if args.trace and snapshot is not None:
        print("  biggest growth since the first 100 commands (tracemalloc):")
        for stat in tracemalloc.take_snapshot().compare_to(snapshot, "lineno")[:10]:
            print(f"    {stat}")


if __name__ == "__main__":
    main()
