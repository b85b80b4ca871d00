"""devrelbot attendees import EVENT file.csv — an event platform's export from a terminal, with the same report."""

from __future__ import annotations

from typer.testing import CliRunner

from bot.cli import app
from bot.console import LOCAL_CHAT
from tests.helpers import say


def test_the_cli_imports_an_attendee_export_and_reports_what_matched(router, db, tmp_path, monkeypatch):
    say(router, '/log event "Go meetup" @ Hall 2026-11-20 audience=40', chat=LOCAL_CHAT)
    monkeypatch.setenv("DATABASE_URL", str(db.engine.url))
    export = tmp_path / "luma.csv"
    export.write_text("name,email,approval_status\nAnn Lee,ann@example.com,approved\nBo,,approved\n",
                      encoding="utf-8")

    first = CliRunner().invoke(app, ["attendees", "import", "1", str(export)])
    again = CliRunner().invoke(app, ["attendees", "import", "1", str(export)])
    missing = CliRunner().invoke(app, ["attendees", "import", "7", str(export)])

    assert first.exit_code == 0, first.output
    assert "1 attendee of event #1 Go meetup" in first.output and "new community members (1): Ann Lee" in first.output
    assert "line 3: no Telegram username, Slack id or e-mail" in first.output
    assert "already marked before (1): Ann Lee" in again.output
    assert missing.exit_code == 1 and "has no activity #7" in missing.output
