"""A weekly digest for a big team: 50,000 activities and 500,000 votes.

Measures, side by side in one run, on SQLite and — with --postgres URL or DEVRELBOT_TEST_POSTGRES_URL —
PostgreSQL:

- the report's queries alone (the summary and details, no chart),
- every figure of the digest (the report and each of the chart's buckets; everything but drawing the chart),
- the whole digest (with the chart drawn),

and prints the plan of every distinct query so index use can be read off. With ``--baseline DIR`` (a checkout of
older code, e.g. ``git worktree add /tmp/base main``) the same database is measured by both versions in
alternating rounds, each in a process of its own (bench/digest_worker.py), and the ratios are printed, in
wall-clock time and in CPU time (far less sensitive to a loaded machine).

    .venv/bin/python bench/bench_digest.py [--activities 50000] [--votes 500000] [--rounds 5] [--baseline DIR]

Targets: queries under 100 ms, the whole digest under 1.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from databases import benchmark_databases  # bench/databases.py, beside this file
from sqlalchemy import event, insert, text

import handlers.digest_content as digest_content
from handlers.digest_content import build_report, last_full_week
from storage.db import Database
from storage.domain import Kind
from storage.models import Activity, FeedbackCard, HireSurvey, Member, Team, Vote

NOW = datetime(2026, 11, 30, 10, tzinfo=UTC)
KINDS = list(Kind)


def fill(db: Database, *, activities: int, votes: int, seed: int = 1) -> int:
    """Bulk-load a team with two years of activity, a feedback card on every tenth, and the votes."""
    rng = random.Random(seed)
    with db.session() as s:
        team = Team(name="Big team", timezone="Europe/Berlin", currency="USD")
        s.add(team)
        s.flush()
        member = Member(team_id=team.id, platform="slack", user_id="U1", display_name="lead", role="admin")
        s.add(member)
        s.flush()
        team_id, member_id = team.id, member.id
    first_day = NOW.date() - timedelta(days=730)
    rows = []
    for i in range(activities):
        kind = KINDS[i % len(KINDS)]
        day = first_day + timedelta(days=rng.randrange(730))
        online = kind in (Kind.PUBLICATION, Kind.SOCIAL)
        rows.append(
            {
                "team_id": team_id,
                "kind": kind.value,
                "title": f"Activity {i}",
                "title_key": f"activity {i}",
                "status": "done",
                "date": day,
                "owner_id": member_id,
                "created_by": member_id,
                "updated_by": member_id,
                "audience": None if online else rng.randrange(20, 800),
                "views": rng.randrange(100, 50_000) if online else None,
                "likes": rng.randrange(0, 500) if online else None,
                "shares": rng.randrange(0, 50) if online else None,
                "comments": rng.randrange(0, 80) if online else None,
                "contacts": rng.randrange(0, 60),
                "cost": rng.randrange(0, 3000) if i % 3 == 0 else None,
                "currency": "USD" if i % 3 == 0 else None,
                "due_date": day if i % 7 == 0 else None,
                "done_on": day,
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
    with db.session() as s:
        for chunk in _chunks(rows, 5000):
            s.execute(insert(Activity), chunk)
        ids = [
            r[0]
            for r in s.execute(
                text("SELECT id, date FROM activity WHERE team_id = :t AND id % 10 = 0"), {"t": team_id}
            ).all()
        ]
        cards = [
            {
                "team_id": team_id,
                "activity_id": a,
                "mode": "emoji",
                "scale": "rating" if n % 4 else "nps",
                "platform": "slack",
                "chat_id": "C1",
                "message_id": f"m{a}",
                "created_by": member_id,
                "created_at": NOW,
                "anonymous": False,
            }
            for n, a in enumerate(ids)
        ]
        for chunk in _chunks(cards, 5000):
            s.execute(insert(FeedbackCard), chunk)
        card_rows = s.execute(text("SELECT id, scale FROM feedback_card WHERE team_id = :t"), {"t": team_id}).all()
        per_card = max(1, votes // max(1, len(card_rows)))
        vote_rows = []
        for card_id, scale in card_rows:
            for v in range(per_card):
                score = rng.randrange(1, 6) if scale == "rating" else rng.randrange(0, 11)
                cast = NOW - timedelta(minutes=rng.randrange(0, 730 * 24 * 60))
                vote_rows.append(
                    {
                        "card_id": card_id,
                        "team_id": team_id,
                        "scale": scale,
                        "voter": f"slack:U{v}",
                        "score": score,
                        "cast_at": cast,
                    }
                )
        for chunk in _chunks(vote_rows, 20_000):
            s.execute(insert(Vote), chunk)
        s.execute(
            insert(HireSurvey),
            [
                {
                    "team_id": team_id,
                    "platform": "slack",
                    "user_id": f"H{n}",
                    "display_name": f"hire {n}",
                    "asked_at": NOW - timedelta(days=n),
                    "answer": ("yes", "partly", "no")[n % 3],
                    "answered_at": NOW - timedelta(days=n),
                }
                for n in range(300)
            ],
        )
    return team_id


def _chunks(rows: list[dict], size: int) -> Iterator[list[dict]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


@contextmanager
def recorded_statements(db: Database) -> Iterator[list[tuple[str, object]]]:
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ARG001
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):  # a WITH is a SELECT too
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def timed_digest(db: Database, team_id: int, *, with_chart: bool, draw: bool = True) -> float:
    """Seconds for one digest; ``draw=False`` computes every figure the chart shows but does not draw it."""
    render = digest_content.render_dashboard
    if not draw:
        digest_content.render_dashboard = lambda layout: b""  # noqa: ARG005
    try:
        with db.session() as s:
            team = s.get(Team, team_id)
            start = time.perf_counter()
            build_report(s, team=team, period=last_full_week(NOW, team), now=NOW, with_chart=with_chart)
            return time.perf_counter() - start
    finally:
        digest_content.render_dashboard = render


def plans(db: Database, team_id: int) -> list[str]:
    with recorded_statements(db) as statements:
        timed_digest(db, team_id, with_chart=True, draw=False)
    print(f"  {len(statements)} SELECT statements for the whole digest (its chart's eight weeks included)")
    distinct: dict[str, object] = {}
    for statement, parameters in statements:
        distinct.setdefault(statement, parameters)
    lines = []
    with db.engine.connect() as conn:
        for statement, parameters in distinct.items():
            if db.is_postgres:
                rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()  # type: ignore[arg-type]
                plan = " | ".join(r[0].strip() for r in rows if "Scan" in r[0] or "Index" in r[0])
            else:
                rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()  # type: ignore[arg-type]
                plan = " | ".join(str(r[-1]) for r in rows)
            found = re.search(r"\bFROM\s+(\w+)", statement)
            table = found.group(1) if found else "?"
            lines.append(f"  {table:<14} {plan[:150]}")
    return lines


def run(label: str, db: Database, *, activities: int, votes: int, rounds: int, baseline: Path | None) -> None:
    started = time.perf_counter()
    team_id = fill(db, activities=activities, votes=votes)
    with db.engine.begin() as conn:  # fresh statistics, as a running database would have
        conn.execute(text("ANALYZE"))
    print(f"{label}: loaded {activities:,} activities and {votes:,} votes in {time.perf_counter() - started:.0f} s")
    timed_digest(db, team_id, with_chart=True)  # warm caches and fonts once
    queries, figures, whole = [], [], []
    for _ in range(rounds):
        queries.append(timed_digest(db, team_id, with_chart=False))
        figures.append(timed_digest(db, team_id, with_chart=True, draw=False))
        whole.append(timed_digest(db, team_id, with_chart=True))
    q_ms, f_ms, w_ms = (statistics.median(found) * 1000 for found in (queries, figures, whole))
    print(
        f"  queries alone: median {q_ms:.0f} ms (target 100 ms: {'met' if q_ms < 100 else 'MISSED'}); "
        f"every figure, the chart's too, not drawn: median {f_ms:.0f} ms; "
        f"whole digest: median {w_ms:.0f} ms (target 1500 ms: {'met' if w_ms < 1500 else 'MISSED'}); "
        f"over {rounds} alternating rounds; load average {os.getloadavg()[0]:.1f}"
    )
    print("  query plans:")
    for line in plans(db, team_id):
        print(line)
    if baseline is not None:
        against_baseline(db, team_id, baseline=baseline, rounds=rounds)


def against_baseline(db: Database, team_id: int, *, baseline: Path, rounds: int) -> None:
    """This checkout and ``baseline`` on the same rows, in alternating rounds (which goes first alternates too),
    each round a fresh process per version (bench/digest_worker.py) that warms up, then measures 3 times."""
    url = db.engine.url.render_as_string(hide_password=False)
    command = [sys.executable, str(Path(__file__).with_name("digest_worker.py")), url, "--team", str(team_id)]
    if db.is_postgres:
        with db.engine.connect() as conn:
            command += ["--schema", str(conn.exec_driver_sql("SHOW search_path").scalar())]
    versions = {"this checkout": Path(__file__).resolve().parent.parent, "baseline": baseline.resolve()}
    found: dict[str, dict[str, list[list[float]]]] = {name: {} for name in versions}
    loads = []
    for round_ in range(rounds):
        for name in (list(versions) if round_ % 2 == 0 else list(reversed(versions))):
            root = versions[name]
            done = subprocess.run(command, cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, check=True,
                                  capture_output=True, text=True)
            for measure, samples in json.loads(done.stdout.strip().splitlines()[-1]).items():
                found[name].setdefault(measure, []).extend(samples)
            loads.append(os.getloadavg()[0])
    print(f"  against {baseline} ({rounds} alternating rounds of 3, load average {min(loads):.1f}–{max(loads):.1f}):")
    names = {"queries": "queries alone", "figures": "every figure, not drawn", "whole": "whole digest"}
    for measure, name in names.items():
        new, old = found["this checkout"][measure], found["baseline"][measure]
        cells = []
        for i, unit in ((0, "wall"), (1, "CPU")):
            now_ms = statistics.median(s[i] for s in new) * 1000
            was_ms = statistics.median(s[i] for s in old) * 1000
            cells.append(f"{unit} {now_ms:.0f} ms vs {was_ms:.0f} ms = {now_ms / was_ms:.2f}x")
        print(f"    {name:<24} " + "; ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--activities", type=int, default=50_000)
    parser.add_argument("--votes", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", default=os.environ.get("DEVRELBOT_TEST_POSTGRES_URL"))
    parser.add_argument("--baseline", type=Path, help="a checkout of older code to measure side by side")
    args = parser.parse_args()
    for label, db in benchmark_databases(args.postgres):
        run(label, db, activities=args.activities, votes=args.votes, rounds=args.rounds, baseline=args.baseline)


if __name__ == "__main__":
    main()
