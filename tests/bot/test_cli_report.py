"""devrelbot report --quarter 2026-Q4 --out review.pdf writes the quarterly review of a team."""

from __future__ import annotations

import io

from pypdf import PdfReader
from typer.testing import CliRunner

from bot.cli import app
from bot.console import LOCAL_CHAT
from tests.helpers import say


def test_the_cli_writes_the_quarterly_review_pdf(router, db, tmp_path, monkeypatch):
    say(router, '/log talk "Go at scale" @ Conf 2026-10-05 audience=400 contacts=40', chat=LOCAL_CHAT)
    monkeypatch.setenv("DATABASE_URL", str(db.engine.url))
    out = tmp_path / "review.pdf"

    result = CliRunner().invoke(app, ["report", "--quarter", "2026-Q4", "--out", str(out)])

    assert result.exit_code == 0, result.output
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages]
    assert len(pages) == 5 and "Local team — quarterly review, Q4 2026" in pages[0] and "400" in pages[0]
    bad = CliRunner().invoke(app, ["report", "--quarter", "2026-Q9", "--out", str(out)])
    assert bad.exit_code == 2 and "not a quarter like 2026-Q4" in bad.output
