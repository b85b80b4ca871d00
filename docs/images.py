"""Regenerate the images the README shows, from the demo:

- docs/digest.png — the weekly digest's chart (what `devrelbot digest` writes),
- docs/review-page-1.png and docs/review-page-3.png — the quarterly review's headline and funnel pages (what
  `devrelbot report` writes as a PDF).

    .venv/bin/python docs/images.py [--out docs]

The demo (`devrelbot demo`: 13 weeks, seed 7) goes into a fresh SQLite database in a temporary directory, on a
fixed day, so the same code draws the same images and your own database is never touched. Run it whenever the
chart, the review or the demo changes, and look at the images before committing them.
"""

from __future__ import annotations

import argparse
import io
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bot.console import LOCAL_CHAT
from bot.demo import fill_demo
from handlers.chart_style import CARD
from handlers.digest_content import build_report, last_full_week
from handlers.review import review_pages
from handlers.router import Router
from storage.db import Database
from storage.periods import period_containing
from storage.teams import team_for_chat

# The day the demo is filled and the images drawn on: a Wednesday, so the digest shows the full week before it
# and the review a quarter two-thirds through.
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
REVIEW_PAGES = {1: "review-page-1.png", 3: "review-page-3.png"}  # page number → file
REVIEW_DPI = 90  # an A4 page 745 px wide: legible in the README's two-column table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent, help="default: docs/")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database.from_url(f"sqlite:///{Path(tmp) / 'demo.db'}")
        db.upgrade()
        try:
            fill_demo(Router(db, clock=lambda: NOW), weeks=13, seed=7)
            with db.session() as session:
                team = team_for_chat(session, platform=LOCAL_CHAT.platform, scope_id=LOCAL_CHAT.scope)
                assert team is not None  # the demo made it
                report = build_report(session, team=team, period=last_full_week(NOW, team), now=NOW)
                assert report.chart is not None  # the demo logged plenty
                write(args.out / "digest.png", report.chart)
                pages = review_pages(session, team=team, period=period_containing("quarter", NOW.date()), now=NOW)
                for number, name in REVIEW_PAGES.items():
                    png = io.BytesIO()
                    pages.figures[number - 1].savefig(png, format="png", dpi=REVIEW_DPI, facecolor=CARD)
                    write(args.out / name, png.getvalue())
        finally:
            db.dispose()


def write(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    print(f"wrote {path} ({len(data):,} bytes)")


if __name__ == "__main__":
    main()
