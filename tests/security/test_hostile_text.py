"""SQL-looking and markup-looking text in every free-text field is stored verbatim and rendered harmlessly by
every renderer: Telegram HTML, Slack mrkdwn (no live mentions, no injected links) and the console's plain text."""

from __future__ import annotations

import csv
import html
import io
import os
import re
import subprocess
import sys
from dataclasses import replace

import pytest
from sqlmodel import select

from handlers.core import Attachment, Button, PollSpec, UserRef
from handlers.markup import to_html, to_plain, to_slack
from handlers.safe_text import csv_cell
from storage.models import Activity, ActivityTag, Member
from tests.dbstate import snapshot
from tests.helpers import incoming, say, text_of

PIECES = ("'; DROP TABLE activity; --", "<b>", "&amp;", "*x*", "_y_", "`z`", "[a](b)", "<@U123>", "<!channel>",
          "<#C0GENERAL>", "<https://evil.example|click>", "\\*", "</b><script>")
ALL = " ".join(PIECES)
HOSTILE = (*PIECES, ALL)

_TELEGRAM_TAG = re.compile(r"</?([a-z]+)(?:\s[^>]*)?>")
_SLACK_ANGLE = re.compile(r"<([^>]*)>")


def assert_harmless_everywhere(text: str, user_text: str, *, links: tuple[str, ...] = ()) -> None:
    """``text`` is a reply's markup that shows ``user_text``; ``links`` are the only URLs it may link to."""
    plain = to_plain(text)
    assert user_text in plain

    telegram = to_html(text)
    assert {m.group(1) for m in _TELEGRAM_TAG.finditer(telegram)} <= {"b", "i", "code", "a"}
    assert user_text in html.unescape(_TELEGRAM_TAG.sub("", telegram))
    assert [h for h in re.findall(r'href="([^"]*)"', telegram) if html.unescape(h) not in links] == []

    slack = to_slack(text)
    for inside in _SLACK_ANGLE.findall(slack):  # Slack's <…> are mentions, channel/special tokens and links
        target = slack_unescape(inside.split("|")[0]).replace("%7C", "|")
        assert target in links, f"live Slack token <{inside}> in {slack!r}"
    assert "<!channel>" not in slack and "<@U123>" not in slack
    shown = _SLACK_ANGLE.sub(lambda m: m.group(1).split("|")[-1], slack)
    assert user_text in slack_unescape(shown)


def slack_unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def stored(db) -> list[Activity]:
    with db.session() as s:
        return list(s.exec(select(Activity).order_by(Activity.id)))


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_title_venue_and_notes_are_stored_verbatim_and_shown_harmlessly(any_router, any_db, hostile):
    logged = say(any_router, f'/log talk "{hostile}" @ "{hostile}" 2026-11-20 notes="{hostile}"')
    planned = say(any_router, f'/plan add article "{hostile}" due 2026-12-10 @ "{hostile}" notes="{hostile}"')
    updated = say(any_router, f'/update 1 title="{hostile}!" venue="{hostile}?"')
    shown = say(any_router, "/show 1")
    listed = say(any_router, "/list all")
    plan = say(any_router, "/plan all")

    assert not any(r.is_error for r in (logged, planned, updated, shown, listed, plan)), text_of(logged)
    talk, article = stored(any_db)
    assert (talk.title, talk.venue, talk.notes) == (f"{hostile}!", f"{hostile}?", hostile)
    assert (article.title, article.venue, article.notes) == (hostile, hostile, hostile)
    for reply in (logged, planned, updated, shown, listed, plan):
        assert_harmless_everywhere(reply.text, hostile)
    assert_harmless_everywhere(shown.text, f"{hostile}?")


@pytest.mark.parametrize("tag", ["#<b>", "#*x*", "#[a](b)", "#<!channel>", "#'; DROP TABLE activity; --", "#&amp;"])
def test_a_markup_or_sql_looking_tag_is_refused_and_stores_nothing(any_router, any_db, tag):
    say(any_router, '/log talk "Kept" @ Conf 2026-11-20')
    before = snapshot(any_db)

    refused = say(any_router, f"/update 1 {tag}")
    refused_log = say(any_router, f'/log talk "New" @ Conf 2026-11-20 {tag}')

    assert refused.is_error and refused_log.is_error
    assert snapshot(any_db) == before
    assert_harmless_everywhere(refused.text, tag.split()[0][:20].split(";")[0])


def test_tags_that_are_allowed_come_back_exactly(any_router, any_db):
    say(any_router, '/log talk "T" @ Conf 2026-11-20 #x_y_ #a-b #drop_table')
    with any_db.session() as s:
        assert sorted(t.tag for t in s.exec(select(ActivityTag))) == ["a-b", "drop_table", "x_y_"]
    assert_harmless_everywhere(say(any_router, "/show 1").text, "#x_y_")


@pytest.mark.parametrize("url", [
    "https://example.com/a?q=<b>&amp;*x*_y_",
    "https://example.com/[a](b)?c=<!channel>&d=<@U123>",
    "https://example.com/x|<!channel>",
])
def test_a_link_with_markup_in_it_is_stored_verbatim_or_refused_and_never_live(any_router, any_db, url):
    reply = say(any_router, f'/log talk "Linked" @ Conf 2026-11-20 {url}')
    if reply.is_error:
        assert stored(any_db) == []
        assert_harmless_everywhere(reply.text, "")
        return
    (activity,) = stored(any_db)
    assert activity.url == url
    shown = say(any_router, "/show 1")
    assert_harmless_everywhere(shown.text, "Linked", links=(url,))
    assert url in to_plain(shown.text)


# --- spreadsheet formulas, bidirectional overrides, control characters (issue 14) -------------------

FORMULAS = ("=1+2", "+SUM(A1:A9)", "-2+3", "@cmd|' /C calc'!A0", "=HYPERLINK('https://evil.example')")


def _export(router, line: str) -> list[list[str]]:
    reply = say(router, line)
    assert reply.document is not None, text_of(reply)
    return list(csv.reader(io.StringIO(reply.document.content.decode("utf-8-sig"))))


def _formula_cells(rows: list[list[str]]) -> list[str]:
    return [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


@pytest.mark.parametrize("hostile", FORMULAS)
def test_export_neutralises_formula_cells_in_titles_venues_and_owner_names(router, hostile):
    evil = UserRef(platform="console", user_id="u-evil", display_name=hostile)
    say(router, f'/log talk "{hostile}" @ "{hostile}" 2026-11-20 audience=10 notes="{hostile}"', user=evil)
    say(router, f'/plan add article "{hostile}" due 2026-12-10 @ "{hostile}"', user=evil)

    activities, plan = _export(router, "/export"), _export(router, "/export plan")

    for rows in (activities, plan):
        assert _formula_cells(rows) == []
        assert f"'{hostile}" in rows[1] and f"'{hostile}" in rows[-1]
    header = activities[0]
    talk = dict(zip(header, activities[1], strict=True))
    assert (talk["title"], talk["venue"], talk["owner"], talk["notes"]) == (f"'{hostile}",) * 4
    assert talk["audience"] == "10"  # numbers stay numbers


def test_an_exported_plan_with_formula_titles_imports_again_as_it_was(router, db):
    say(router, '/plan add article "=1+2" due 2026-12-10 @ "@Habr"')
    exported = say(router, "/export plan").document
    assert exported is not None
    say(router, "/plan drop 1")

    attached = (Attachment("plan.csv", exported.content),)
    (reply,) = router.dispatch(replace(incoming("/plan import"), attachments=attached))

    assert not reply.is_error, text_of(reply)
    with db.session() as s:
        article = s.exec(select(Activity).where(Activity.id == 2)).one()
    assert (article.title, article.venue) == ("=1+2", "@Habr")


@pytest.mark.parametrize("value", ["\tTAB", "\rCR", "=x", "-x", "+x", "@x"])
def test_every_formula_start_is_prefixed_and_other_values_pass(value):
    assert csv_cell(value) == "'" + value
    assert csv_cell("plain") == "plain" and csv_cell(-5) == -5 and csv_cell("") == ""


def test_the_cli_export_neutralises_formula_cells(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "LOG_LEVEL": "WARNING"}
    run = subprocess.run([sys.executable, "-m", "bot", "console"], input='/log talk "=1+2" @ "+Conf" today\n',
                         capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    exported = subprocess.run([sys.executable, "-m", "bot", "export", "activities", "out.csv"], capture_output=True,
                              text=True, cwd=tmp_path, env=env, timeout=60, check=False)
    assert exported.returncode == 0, exported.stderr

    rows = list(csv.reader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8-sig"))))
    assert _formula_cells(rows) == []
    assert ["'=1+2", "'+Conf"] == [rows[1][rows[0].index("title")], rows[1][rows[0].index("venue")]]


BIDI = tuple("\u202e\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


@pytest.mark.parametrize("control", BIDI)
def test_bidi_controls_never_reach_a_renderer(router, control):
    title = f"Invoice{control}gpj.exe"
    logged = say(router, f'/log talk "{title}" @ Conf 2026-11-20')
    shown, listed = say(router, "/show 1"), say(router, "/list all")

    for reply in (logged, shown, listed):
        for rendered in (to_plain(reply.text), to_html(reply.text), to_slack(reply.text)):
            assert control not in rendered
            assert "Invoicegpj.exe" in html.unescape(rendered)


async def test_bidi_controls_never_reach_a_button_label_or_poll_option(db):
    from bot.console import poll_reply
    from bot.slack.blocks import button_element
    from bot.telegram.buttons import ButtonPayloads
    from bot.telegram.messenger import keyboard

    button = Button("Talk #1: \u202eexe.gpj", "/show 1")
    keys = await keyboard([button], ButtonPayloads(db))
    assert keys is not None
    (key,) = keys.inline_keyboard[0]
    assert key.text == "Talk #1: exe.gpj"
    assert button_element(button, 0)["text"]["text"] == "Talk #1: exe.gpj"
    console = poll_reply(PollSpec("Rate \u2067it", ("\u202egood", "bad"), choice_command="/vote 1"))
    assert "\u2067" not in to_plain(console.text)


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\x85"])
def test_a_control_character_is_refused_with_an_example_and_stores_nothing(any_router, any_db, char):
    say(any_router, '/log talk "Kept" @ Conf 2026-11-20')
    before = snapshot(any_db)

    lines = (f'/log talk "a{char}b" @ Conf 2026-11-20', f'/update 1 title="x{char}"',
             f'/plan add post "p{char}" due 2026-12-10')
    for line in lines:
        reply = say(any_router, line)
        assert reply.is_error, line
        assert f"U+{ord(char):04X}" in text_of(reply) and "Example:" in text_of(reply)

    assert snapshot(any_db) == before


def test_a_control_character_in_an_imported_plan_is_refused(router, db):
    data = b"kind,title,due\narticle,Bad\x00title,2026-12-10\n"
    say(router, "/help")
    before = snapshot(db)

    (reply,) = router.dispatch(replace(incoming("/plan import"), attachments=(Attachment("plan.csv", data),)))

    assert reply.is_error and "U+0000" in text_of(reply)
    assert snapshot(db) == before


def test_a_display_name_with_control_characters_is_stored_without_them(any_router, any_db):
    odd = UserRef(platform="console", user_id="u-odd", display_name="Ev\x00il\x1b")
    assert not say(any_router, "/help", user=odd).is_error
    with any_db.session() as s:
        assert s.exec(select(Member).where(Member.user_id == "u-odd")).one().display_name == "Evil"
