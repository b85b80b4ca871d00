"""/stats and /report narrowed to a slice (a kind, #tags, @person, purpose=) and broken down by tag, person,
kind or purpose — every figure worked out by hand below, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from handlers.markup import to_html, to_plain, to_slack
from storage.feedback.cards import Mode, create_card
from storage.feedback.scales import Scale
from storage.feedback.votes import cast_vote
from storage.models import Activity
from tests.helpers import BOB, incoming, say, text_of

# November 2026 (this month; today is Thursday 26 November) and October (the previous month):
#   #1 alice talk A    11-02  reach 400          contacts 20  $1000  #backend #devops  hiring   votes 5, 4
#   #2 alice talk B    11-10  reach 100          contacts 5   —      #backend          brand    vote 3
#   #3 bob   post P    11-12  reach 1000         contacts 3   $30    #frontend         —
#   #4 bob   event M   11-20  reach 50           contacts 10  €200   (no tag)          hiring
#   #5 alice talk C    10-10  reach 50           contacts 5   $100   #backend          hiring
#   #6 alice talk F    11-29  planned: never counted
LEDGER = [
    (None, '/log talk "A" @ Conf 2026-11-02 audience=400 contacts=20 cost=1000usd #backend #devops '
           'purpose=hiring'),
    (None, '/log talk "B" @ Conf 2026-11-10 audience=100 contacts=5 #backend purpose=brand'),
    (BOB, '/log post "P" @ Blog 2026-11-12 views=1000 likes=10 contacts=3 cost=30usd #frontend'),
    (BOB, '/log meetup "M" @ Office 2026-11-20 audience=50 contacts=10 cost=200eur purpose=hiring'),
    (None, '/log talk "C" @ Conf 2026-10-10 audience=50 contacts=5 cost=100usd #backend purpose=hiring'),
    (None, '/log talk "F" @ Conf 2026-11-29 audience=999 #backend'),
]


@pytest.fixture
def ledger(any_router):
    say(any_router, "/help")  # alice first: the team's admin
    say(any_router, "/help", user=BOB)
    for user, line in LEDGER:
        reply = say(any_router, line, user=BOB) if user else say(any_router, line)
        assert not reply.is_error, text_of(reply)
    votes = {"A": [5, 4], "B": [3]}
    with any_router.db.session() as s:
        for activity in s.exec(select(Activity).where(Activity.title.in_(votes))).all():
            card = create_card(s, team_id=activity.team_id, activity_id=activity.id, mode=Mode.EMOJI,
                               scale=Scale.RATING, platform="console", chat_id="fans", created_by=None,
                               now=datetime(2026, 11, 21, tzinfo=UTC))
            for n, score in enumerate(votes[activity.title]):
                cast_vote(s, card=card, voter=f"console:fan{n}", score=score, now=datetime(2026, 11, 22, tzinfo=UTC))
        s.commit()
    return any_router


def stats(router, args: str) -> str:
    reply = say(router, f"/stats {args}")
    assert not reply.is_error, text_of(reply)
    return text_of(reply)


def test_one_tag(ledger):
    text = stats(ledger, "month #backend")
    assert "Slice: #backend" in text
    assert "• talk: 2 (+100%)" in text  # A and B against C; F is only planned
    assert "• publication" not in text.replace("• publication: 0 (no change)", "")
    assert "• reach: 500 (+900%)" in text  # 400 + 100 against 50
    assert "• contacts: 25 (+400%)" in text  # 20 + 5 against 5
    # $1000 / 20 (B's 5 contacts have no cost, so the basis is said) against $100 / 5
    assert "• cost per contact: $50.00 (on 20 of 25 contacts with a cost) (was $20.00)" in text
    assert "community rating: 4.0 of 5 (3 answers)" in text  # (5 + 4 + 3) / 3
    assert "hiring influence" not in text  # new hires answer about DevRel as a whole


def test_several_tags_mean_any_of_them(ledger):
    text = stats(ledger, "month #backend #frontend")
    assert "Slice: any of #backend #frontend" in text
    assert "• talk: 2 (+100%)" in text and "• publication: 1 (new)" in text
    assert "• reach: 1,500 (+2,900%)" in text  # 400 + 100 + 1000 against 50
    assert "• contacts: 28 (+460%)" in text  # 20 + 5 + 3 against 5
    # $1030 / the 23 contacts that cost something, of 28
    assert "• cost per contact: $44.78 (on 23 of 28 contacts with a cost) (was $20.00)" in text


def test_one_person(ledger):
    text = stats(ledger, "month @bob")
    assert "Slice: @bob" in text
    assert "• event: 1 (new)" in text and "• publication: 1 (new)" in text and "• talk: 0 (no change)" in text
    assert "• reach: 1,050 (new)" in text and "• contacts: 13 (new)" in text
    # per currency, the team's first: $30 / 3 and €200 / 10, each of bob's 13 contacts
    assert ("• cost per contact: $10.00 (on 3 of 13 contacts with a cost); €20.00 (on 10 of 13 contacts with a "
            "cost) (was —)") in text
    assert "community rating: no answers yet" in text


def test_a_kind_and_a_purpose(ledger):
    text = stats(ledger, "month talk purpose=hiring")
    assert "Slice: talk · purpose: hiring" in text
    assert "• talk: 1 (+0%)" in text and "• event" not in text  # A against C; M is an event
    assert "• reach: 400 (+700%)" in text and "• contacts: 20 (+300%)" in text
    assert "• cost per contact: $50.00 (was $20.00)" in text
    assert "community rating: 4.5 of 5 (2 answers)" in text


def test_by_tag(ledger):
    text = stats(ledger, "month by tag")
    assert text.splitlines() == [
        "By tag so far, 2026-11-01 – 2026-11-26",
        "tag        reach  contacts      per contact  rating",
        "#frontend  1,000         3          $10.00        —",
        "#backend     500        25          $50.00*     4.0",  # B's 5 contacts cost nothing recorded
        "#devops      400        20          $50.00      4.5",
        "(no tag)      50        10          €20.00        —",
        "total      1,550        38  $44.78, €20.00*     4.0",  # A counts once; $1030 / 23, €200 / 10
        "An activity with several tags counts under each of them, once in the total.",
        "* Cost per contact of the contacts with a cost only:",
        "• #backend: $50.00 (on 20 of 25 contacts with a cost)",
        "• total: $44.78 (on 23 of 38 contacts with a cost); €20.00 (on 10 of 38 contacts with a cost)",
    ]


def test_by_person_within_a_purpose(ledger):
    assert stats(ledger, "month purpose=hiring by person").splitlines() == [
        "By person so far, 2026-11-01 – 2026-11-26",
        "Slice: purpose: hiring",
        "person  reach  contacts      per contact  rating",
        "alice     400        20          $50.00      4.5",
        "bob        50        10          €20.00        —",
        "total     450        30  $50.00, €20.00*     4.5",  # each currency on part of the 30 contacts
        "* Cost per contact of the contacts with a cost only:",
        "• total: $50.00 (on 20 of 30 contacts with a cost); €20.00 (on 10 of 30 contacts with a cost)",
    ]


def test_by_kind_and_by_purpose(ledger):
    assert stats(ledger, "month by kind").splitlines()[1:] == [
        "kind         reach  contacts      per contact  rating",
        "publication  1,000         3          $10.00        —",
        "talk           500        25          $50.00*     4.0",
        "event           50        10          €20.00        —",
        "total        1,550        38  $44.78, €20.00*     4.0",
        "* Cost per contact of the contacts with a cost only:",
        "• talk: $50.00 (on 20 of 25 contacts with a cost)",
        "• total: $44.78 (on 23 of 38 contacts with a cost); €20.00 (on 10 of 38 contacts with a cost)",
    ]
    assert stats(ledger, "month by purpose").splitlines()[1:] == [
        "purpose       reach  contacts      per contact  rating",
        "hiring          450        30  $50.00, €20.00*     4.5",
        "brand           100         5               —      3.0",
        "(no purpose)  1,000         3          $10.00        —",
        "total         1,550        38  $44.78, €20.00*     4.0",
        "* Cost per contact of the contacts with a cost only:",
        "• hiring: $50.00 (on 20 of 30 contacts with a cost); €20.00 (on 10 of 30 contacts with a cost)",
        "• total: $44.78 (on 23 of 38 contacts with a cost); €20.00 (on 10 of 38 contacts with a cost)",
    ]


def test_the_table_lines_up_on_every_door(ledger):
    reply = say(ledger, "/stats month #backend by tag")
    rows = ["tag       reach  contacts  per contact  rating",
            "#backend    500        25      $50.00*     4.0",
            "total       500        25      $50.00*     4.0"]
    assert to_plain(reply.text).splitlines()[2:5] == rows
    # Telegram: each row in <code>, a monospace font; Slack: each row in backticks, the same.
    assert [f"<code>{row}</code>" for row in rows] == to_html(reply.text).splitlines()[2:5]
    assert [f"`{row}`" for row in rows] == to_slack(reply.text).splitlines()[2:5]


def test_report_narrowed_and_broken_down(ledger):
    replies = ledger.dispatch(incoming("/report month #backend by person"))
    summary, breakdown = text_of(replies[0]), text_of(replies[1])
    assert "Monthly report so far, 2026-11-01 – 2026-11-26 · #backend" in summary
    assert "• Activities: 2 (+100%) — 2 talks" in summary
    assert "• Reach: 500 (+900%)" in summary and "• Contacts: 25 (+400%)" in summary
    assert "Hiring influence" not in summary
    assert breakdown.splitlines()[2:] == [
        "person  reach  contacts  per contact  rating",
        "alice     500        25      $50.00*     4.0",
        "total     500        25      $50.00*     4.0",
        "* Cost per contact of the contacts with a cost only:",
        "• alice: $50.00 (on 20 of 25 contacts with a cost)",
        "• total: $50.00 (on 20 of 25 contacts with a cost)",
    ]
    details = text_of(replies[2])
    assert "talk #1 A" in details and "P @ Blog" not in details  # the top by reach, of the slice only


def test_bad_filters_change_nothing(ledger):
    for line, expected in [
        ("/stats month by colour", "“by colour” is not a breakdown"),
        ("/report month @ghost", "No one in this team is called “@ghost”"),
        ("/stats month #backend #backend", "“#backend” repeats a filter"),
    ]:
        reply = say(ledger, line)
        assert reply.is_error and expected in text_of(reply) and "Example: /" in text_of(reply)
