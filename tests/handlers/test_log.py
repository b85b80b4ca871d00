from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from storage.models import Activity, ActivityTag, Team
from tests.dbstate import ledger_counts
from tests.helpers import say, text_of


def test_log_talk_stores_it_and_replies_with_derived_numbers(router, db):
    reply = say(router, '/log talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300 contacts=25 '
                        'cost=1500 #backend #dba')

    assert not reply.is_error
    assert "Logged talk #1" in text_of(reply)
    assert "reach 300" in text_of(reply)
    assert "cost per contact $60.00" in text_of(reply)
    with db.session() as s:
        activity = s.exec(select(Activity)).one()
        tags = sorted(t.tag for t in s.exec(select(ActivityTag)).all())
    assert (activity.kind, activity.title, activity.venue) == ("talk", "Scaling Postgres", "HighLoad++")
    assert (activity.audience, activity.contacts, activity.cost, activity.currency) == (300, 25, Decimal("1500"), "USD")
    assert activity.status == "done"
    assert tags == ["backend", "dba"]


MALFORMED = [
    ('/log tlak "X"', "tlak"),  # unknown kind
    ("/log", "kind and a title"),  # nothing at all
    ("/log talk", "needs a title"),  # no title
    ('/log talk ""', "needs a title"),  # empty quoted title
    ('/log talk "Scaling Postgres', "Unbalanced quote"),  # unbalanced quote
    ("/log talk «Scaling Postgres @ X", "Unbalanced quote"),  # unbalanced guillemet
    ("/log talk " + '"' + "x" * 10_000 + '"', "too long"),  # a 10 KB title
    ('/log talk "X" audience=-5', "cannot be negative"),  # negative number
    ('/log talk "X" audience=lots', "whole number"),  # not a number
    ('/log talk "X" audience=1.2345k', "whole number"),  # fractional count
    ('/log talk "X" audience=99999999999', "larger than"),  # absurd number
    ('/log talk "X" 1900-01-01', "out of range"),  # year 1900
    ('/log talk "X" 2200-01-01', "out of range"),  # year 2200
    ('/log talk "X" 31.02.2026', "not a real calendar date"),  # impossible date
    ('/log talk "X" date=someday', "not a date"),  # unknown date word
    ('/log talk "X" viewz=3', "Unknown key"),  # unknown key
    ('/log talk "X" views=300', "does not apply to a talk"),  # metric of another kind
    ('/log post "X" stream_views=5', "does not apply to a publication"),  # metric of another kind
    ('/log talk "X" rating=7', "from 1 to 5"),  # rating out of range
    ('/log meetup "X" nps=150', "from -100 to 100"),  # NPS out of range
    ('/log meetup "X" cost=12xyz', "not a currency code"),  # unknown currency
    ('/log meetup "X" cost=-100', "cannot be negative"),  # negative cost
    ('/log talk "X" status=finished', "planned, done or cancelled"),  # bad status
    ('/log talk "X" audience=1 audience=2', "given twice"),  # duplicate key
    ('/log talk "X" 2026-11-20 2026-11-21', "given twice"),  # two dates
    ('/log talk "X" #bad!tag', "not a tag"),  # bad tag
    ('/log talk "X" url=ftp://x', "not a web address"),  # bad url
    ('/log talk "X" @', "must be followed by the venue"),  # @ without venue
    ('/log talk "X" stray', "don't know what"),  # a stray word after a quoted title
    ('/log talk "X" @nobody @ Venue', "No one in this team"),  # unknown owner with a venue given
]


@pytest.mark.parametrize(("line", "expected"), MALFORMED, ids=[m[1] + f"-{i}" for i, m in enumerate(MALFORMED)])
def test_malformed_log_gets_a_clear_error_with_an_example_and_stores_nothing(router, db, line, expected):
    say(router, '/log talk "Existing" @ Conf 2026-11-01 audience=10 #keep')
    before = ledger_counts(db)

    reply = say(router, line)

    assert reply.is_error and reply.ephemeral
    assert expected in text_of(reply)
    assert "Example: /log " in text_of(reply)
    assert ledger_counts(db) == before


def test_a_future_date_makes_a_planned_item_unless_status_says_otherwise(router, db):
    assert "Planned talk #1" in text_of(say(router, '/log talk "Next" @ Conf 2026-12-20'))
    assert "Logged talk #2" in text_of(say(router, '/log talk "Next" @ Conf 2026-12-20 status=done'))
    with db.session() as s:
        assert [a.status for a in s.exec(select(Activity).order_by(Activity.id)).all()] == ["planned", "done"]


def test_default_date_is_today_in_the_team_time_zone(router, db, clock):
    say(router, "/help")  # the chat becomes a team
    with db.session() as s:
        team = s.exec(select(Team)).one()
        team.timezone = "Asia/Tokyo"
        s.add(team)
    clock.now = clock.now.replace(hour=23, minute=30)  # 23:30 UTC on Thursday 26 Nov = Friday morning in Tokyo

    say(router, '/log post "Late post" @ Blog views=10')

    with db.session() as s:
        assert s.exec(select(Activity)).one().date.isoformat() == "2026-11-27"


def test_hostile_text_is_stored_verbatim_and_escaped_in_the_reply(router, db):
    title = "<b>*bold*</b> _x_ `y` [a](b) '; DROP TABLE activity; --"
    reply = say(router, f'/log post "{title}" @ Blog views=1')
    assert title in text_of(reply)
    with db.session() as s:
        assert s.exec(select(Activity)).one().title == title


def test_publication_reply_shows_reach_and_engagement(router):
    reply = say(router, '/log article "Kafka" @ Habr 2026-11-01 views=12k likes=140 shares=10 comments=50 '
                        'cost=300 contacts=0')
    text = text_of(reply)
    assert "reach 12,000" in text
    assert "engagement 200" in text
    assert "cost per contact —" in text  # zero contacts: undefined, never 0 or infinity


def test_owner_can_be_another_team_member(router, db):
    from tests.helpers import BOB

    say(router, "/help", user=BOB)  # bob joins the team
    say(router, '/log talk "Bob talk" @ Conf 2026-11-01 @bob')
    with db.session() as s:
        from storage.models import Member

        activity = s.exec(select(Activity)).one()
        assert s.get(Member, activity.owner_id).display_name == "bob"
