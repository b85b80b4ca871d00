"""SQL-looking and markup-looking text in every free-text field is stored verbatim and rendered harmlessly by
every renderer: Telegram HTML, Slack mrkdwn (no live mentions, no injected links) and the console's plain text."""

from __future__ import annotations

import html
import re

import pytest
from sqlmodel import select

from handlers.markup import to_html, to_plain, to_slack
from storage.models import Activity, ActivityTag
from tests.dbstate import snapshot
from tests.helpers import say, text_of

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
