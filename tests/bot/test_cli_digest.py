"""devrelbot digest takes the filters /report takes: a slice and its breakdown."""

from __future__ import annotations

from typer.testing import CliRunner

from bot.cli import app
from bot.console import LOCAL_CHAT
from tests.helpers import say


def test_the_cli_digest_narrowed_to_tags_and_broken_down_by_kind(router, db, tmp_path, monkeypatch):
    for line in ['/log talk "B" @ Conf 2026-11-10 audience=100 contacts=5 #backend',
                 '/log post "P" @ Blog 2026-11-12 views=1000 contacts=3 cost=30usd #frontend',
                 '/log post "Q" @ Blog 2026-11-13 views=7000 #mobile']:
        assert not say(router, line, chat=LOCAL_CHAT).is_error
    monkeypatch.setenv("DATABASE_URL", str(db.engine.url))
    out = tmp_path / "digest.png"

    result = CliRunner().invoke(app, ["digest", "--week", "2026-11-10", "--out", str(out),
                                      "#backend", "#frontend", "by", "kind"])

    assert result.exit_code == 0, result.output
    # Q (#mobile) is outside the slice: 100 + 1000, not 8,100.
    assert "Weekly digest, 2026-11-09 – 2026-11-15 · any of #backend #frontend" in result.output
    assert "• Reach: 1,100 (new)" in result.output
    assert [line.strip() for line in result.output.splitlines() if line.startswith(("kind", "publication", "talk",
                                                                                     "total"))] == [
        "kind         reach  contacts  per contact  rating",
        "publication  1,000         3      $10.00        —",
        "talk           100         5           —        —",
        "total        1,100         8      $10.00*       —",
    ]
    assert "• total: $10.00 (on 3 of 8 contacts with a cost)" in result.output  # B's 5 contacts cost nothing known
    assert out.stat().st_size > 0


def test_the_cli_digest_refuses_a_bad_filter_with_an_example(router, db, tmp_path, monkeypatch):
    say(router, '/log talk "B" @ Conf 2026-11-10 audience=100', chat=LOCAL_CHAT)
    monkeypatch.setenv("DATABASE_URL", str(db.engine.url))
    out = tmp_path / "digest.png"

    result = CliRunner().invoke(app, ["digest", "--out", str(out), "by", "colour"])

    assert result.exit_code == 2
    assert "“by colour” is not a breakdown" in result.output and "devrelbot digest talk '#backend' by person" in (
        result.output)
    assert not out.exists()
