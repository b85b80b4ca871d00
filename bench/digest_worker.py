"""One round of bench_digest.py in a process of its own, against a database the bench filled: run with the code
to measure first on ``PYTHONPATH`` (this checkout, or an older one given to the bench as ``--baseline``), so two
versions of the digest are measured side by side on the same rows. Uses only what every version has
(``build_report``, ``last_full_week``, ``Database``). Prints one JSON line: per measure, the wall-clock and CPU
seconds of every repetition.

    python bench/digest_worker.py URL [--schema NAME] [--team 1] [--reps 3]
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime

import handlers.digest_content as digest_content
from handlers.digest_content import build_report, last_full_week
from storage.db import Database, make_engine, normalize_url
from storage.models import Team

NOW = datetime(2026, 11, 30, 10, tzinfo=UTC)  # bench_digest.NOW (not imported: an older bench may lack it)


def timed(db: Database, team_id: int, *, with_chart: bool) -> tuple[float, float]:
    with db.session() as s:
        team = s.get(Team, team_id)
        assert team is not None
        wall, cpu = time.perf_counter(), time.process_time()
        build_report(s, team=team, period=last_full_week(NOW, team), now=NOW, with_chart=with_chart)
        return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--schema")
    parser.add_argument("--team", type=int, default=1)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    if args.schema:
        db = Database(make_engine(normalize_url(args.url), connect_args={"options": f"-csearch_path={args.schema}"}))
    else:
        db = Database.from_url(args.url)
    draw = digest_content.render_dashboard
    timed(db, args.team, with_chart=True)  # warm caches and fonts once
    found: dict[str, list[tuple[float, float]]] = {"queries": [], "figures": [], "whole": []}
    for _ in range(args.reps):
        found["queries"].append(timed(db, args.team, with_chart=False))
        # Everything but drawing: the report and every figure the chart shows (its buckets' too).
        digest_content.render_dashboard = lambda layout: b""  # noqa: ARG005
        try:
            found["figures"].append(timed(db, args.team, with_chart=True))
        finally:
            digest_content.render_dashboard = draw
        found["whole"].append(timed(db, args.team, with_chart=True))
    db.dispose()
    print(json.dumps(found))


if __name__ == "__main__":
    main()
