"""The command path: ``/log`` through the router (parse, team and member lookup, insert, tags, reminders, the
reply text — one transaction), against

  (a) a bare SQLAlchemy Core insert of the same row into the same ``activity`` table (one transaction), and
  (b) python-telegram-bot's ``Application.process_update`` with a no-op ``CommandHandler("log")`` on a built
      ``Update`` (an offline bot: its requests never leave the process).

    .venv/bin/python bench/bench_command.py [--rounds 30] [--batch 20] [--postgres URL]

SQLite is measured twice: with the bot's default ``synchronous=NORMAL`` (no sync per commit: the ratio shows the
per-command work) and with ``SQLITE_SYNCHRONOUS=FULL`` (every commit synced to disk: the bare insert (a) pays that
sync too, so the ratio is smaller — quote the NORMAL one for the work a command does). PostgreSQL is measured
too when ``--postgres URL`` or ``DEVRELBOT_TEST_POSTGRES_URL`` is given (in a schema of its own, dropped
afterwards). The three paths run in interleaved rounds in one run, after a warm-up, so machine noise hits them
alike. Printed: commands/s, p50 and p99 latency, the ratio of our path to (a) + (b) (targets: ≤ 5× on
SQLite, ≤ 2.5× on PostgreSQL), the same ratio of this process's CPU time per command (steadier than wall-clock
time on a machine that others load: a longer command is preempted more often, which inflates its p50 more than
the short floor's; on PostgreSQL the server's CPU is not in it), and how many statements each sends.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from databases import benchmark_databases  # bench/databases.py, beside this file
from sqlalchemy import event, insert, text

import handlers  # noqa: F401  (registers the commands)
from handlers.core import ChatRef, Incoming, UserRef
from handlers.router import Router, parse_command_line
from storage.db import Database
from storage.models import Activity

LINE = '/log talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300 contacts=25 cost=1500 #backend #dba'
CHAT = ChatRef(platform="console", chat_id="bench")
USER = UserRef(platform="console", user_id="u-bench", display_name="bench")
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
TOKEN = "123456789:BENCH-offline-token-never-sent-anywhere"


# --- (b) python-telegram-bot, offline ---------------------------------------------------------------------


def offline_application() -> Any:
    """A real PTB Application whose requests are answered in-process (getMe) or refused (anything else)."""
    from telegram.ext import ApplicationBuilder, CommandHandler
    from telegram.request import BaseRequest

    class OfflineRequest(BaseRequest):
        @property
        def read_timeout(self) -> float | None:
            return 1.0

        async def initialize(self) -> None:
            pass

        async def shutdown(self) -> None:
            pass

        async def do_request(self, url: str, method: str, request_data: Any = None, **_: Any) -> tuple[int, bytes]:
            if url.endswith("/getMe"):
                me = {"id": 123456789, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
                return 200, json.dumps({"ok": True, "result": me}).encode()
            raise RuntimeError(f"offline bot: no request to {url.rsplit('/', 1)[-1]}")

    async def noop(update: Any, context: Any) -> None:
        return None

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .request(OfflineRequest())
        .get_updates_request(OfflineRequest())
        .job_queue(None)
        .updater(None)
        .build()
    )
    app.add_handler(CommandHandler("log", noop))
    return app


def telegram_update(bot: Any) -> Any:
    from telegram import Update

    message = {
        "message_id": 1,
        "date": int(time.time()),
        "text": LINE,
        "chat": {"id": -1001234567890, "type": "supergroup", "title": "DevRel"},
        "from": {"id": 1001, "is_bot": False, "first_name": "alice", "username": "alice"},
        "entities": [{"type": "bot_command", "offset": 0, "length": 4}],
    }
    return Update.de_json({"update_id": 1, "message": message}, bot)


# --- (a) the bare insert and our path ---------------------------------------------------------------------


def bare_insert(db: Database, team_id: int) -> Callable[[], None]:
    row = {
        "team_id": team_id,
        "kind": "talk",
        "title": "Scaling Postgres",
        "title_key": "scaling postgres",
        "status": "done",
        "date": date(2026, 11, 20),
        "venue": "HighLoad++",
        "audience": 300,
        "contacts": 25,
        "cost": 1500,
        "currency": "USD",
        "done_on": date(2026, 11, 20),
        "created_at": NOW,
        "updated_at": NOW,
    }
    columns = set(Activity.__table__.columns.keys())  # type: ignore[attr-defined]
    row = {k: v for k, v in row.items() if k in columns}
    statement = insert(Activity.__table__).values(**row)  # type: ignore[attr-defined]

    def run() -> None:
        with db.engine.begin() as conn:
            conn.execute(statement)

    return run


def our_path(router: Router) -> Callable[[], None]:
    command, args = parse_command_line(LINE)  # type: ignore[misc]
    incoming = Incoming(chat=CHAT, user=USER, command=command, args=args, text=LINE)

    def run() -> None:
        (reply,) = router.dispatch(incoming)
        if reply.is_error:
            raise RuntimeError(f"/log failed in the benchmark: {reply.text}")

    return run


# --- measuring --------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(name: str, samples: list[float]) -> str:
    per_second = len(samples) / sum(samples)
    return (
        f"  {name:<44} {per_second:>8.0f} /s   p50 {percentile(samples, 0.5) * 1000:7.3f} ms"
        f"   p99 {percentile(samples, 0.99) * 1000:7.3f} ms"
    )


def measure(db: Database, label: str, rounds: int, batch: int) -> None:
    router = Router(db, default_timezone="UTC", clock=lambda: NOW)
    ours = our_path(router)
    ours()  # the team and its member exist from here on: every timed /log is the steady state
    with db.session() as session:
        team_id = session.exec(text("SELECT id FROM team")).scalar_one()  # type: ignore[call-overload]
    assert isinstance(team_id, int)
    bare = bare_insert(db, team_id)
    app = offline_application()
    loop = asyncio.new_event_loop()
    loop.run_until_complete(app.initialize())
    update = telegram_update(app.bot)

    def ptb() -> None:
        loop.run_until_complete(app.process_update(update))

    for warm in (ours, bare, ptb):
        for _ in range(5):
            warm()
    samples: dict[str, list[float]] = {"ours": [], "bare": [], "ptb": []}
    cpu = dict.fromkeys(samples, 0.0)
    paths = (("ours", ours), ("bare", bare), ("ptb", ptb))
    for round_ in range(rounds):
        # Rotate who goes first, so neither path always runs on a cache the other just warmed.
        for name, run in paths[round_ % 3 :] + paths[: round_ % 3]:
            cpu_start = time.process_time()
            for _ in range(batch):
                start = time.perf_counter()
                run()
                samples[name].append(time.perf_counter() - start)
            cpu[name] += time.process_time() - cpu_start
    loop.run_until_complete(app.shutdown())
    loop.close()
    statements = {name: statements_of(db, run) for name, run in (("ours", ours), ("bare", bare))}

    print(f"{label}: {rounds} interleaved rounds × {batch} commands each")
    print(summary("ours: /log through Router.dispatch", samples["ours"]))
    print(summary("(a) bare SQLAlchemy Core insert", samples["bare"]))
    print(summary("(b) PTB process_update, no-op handler", samples["ptb"]))
    p50 = {k: percentile(v, 0.5) for k, v in samples.items()}
    p99 = {k: percentile(v, 0.99) for k, v in samples.items()}
    ratio = p50["ours"] / (p50["bare"] + p50["ptb"])
    ratio99 = p99["ours"] / (p99["bare"] + p99["ptb"])
    target = 2.5 if db.is_postgres else 5.0
    verdict = "within" if ratio <= target else "NOT within"
    print(f"  ratio ours / (a + b): p50 {ratio:.2f}x, p99 {ratio99:.2f}x — {verdict} the {target:g}x target")
    us = {name: cpu[name] / (rounds * batch) * 1e6 for name in cpu}  # µs of this process's CPU per command
    print(f"  this process's CPU per command: ours {us['ours']:.0f} µs, (a) {us['bare']:.0f} µs, (b) {us['ptb']:.0f}"
          f" µs — ours / (a + b) {us['ours'] / (us['bare'] + us['ptb']):.2f}x"
          + (" (the server's CPU not counted)" if db.is_postgres else ""))
    print(f"  statements sent per command (BEGIN included where the driver sends it as one): ours "
          f"{statements['ours']}, (a) {statements['bare']}")


def statements_of(db: Database, run: Callable[[], None]) -> int:
    """How many statements one run sends to the database (a SQLAlchemy ``before_cursor_execute`` count)."""
    count = 0

    def listen(*_args: Any) -> None:
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("DEVRELBOT_TEST_POSTGRES_URL"),
        help="a PostgreSQL URL (default: $DEVRELBOT_TEST_POSTGRES_URL); SQLite only without it",
    )
    args = parser.parse_args()

    for label, db in benchmark_databases(args.postgres, sqlite_synchronous=("NORMAL", "FULL")):
        measure(db, label, args.rounds, args.batch)


if __name__ == "__main__":
    main()
