"""The digest's numbers on a hand-computed data set, its week in the team's time zone, and the empty case."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from handlers.digest_content import build_report, last_full_week
from handlers.markup import to_plain
from storage.models import Team
from storage.periods import period_containing
from tests.helpers import BOB, say, team_of

WEEK = period_containing("week", date(2026, 11, 16))  # Mon 16 – Sun 22 Nov


def set_zone(db, zone: str) -> None:
    with db.session() as s:
        team = s.exec(select(Team)).one()
        team.timezone = zone
        s.add(team)


def report(db, now: datetime, period=WEEK, **options):
    with db.session() as s:
        return build_report(s, team=s.exec(select(Team)).one(), period=period, now=now, **options)

def test_digest_numbers_by_hand(router, db):
    # The week before (9–15 Nov): one talk, reach 100, 10 contacts for $200.
    say(router, '/log talk "Before" @ Conf 2026-11-10 audience=100 contacts=10 cost=200usd')
    # The week (16–22 Nov): a talk (reach 300, 20 contacts, $300), a post (reach 1,000, engagement 50) and a
    # meetup (reach 80 + 120 streamed), and on its edges: a post on Sunday 22nd in, one on Monday 23rd out.
    say(router, '/log talk "Scaling Postgres" @ HighLoad++ 2026-11-16 audience=300 contacts=20 cost=300usd')
    say(router, '/log post "Kafka" @ Habr 2026-11-18 views=1000 likes=30 shares=5 comments=15')
    say(router, '/log meetup "Go meetup" @ Office 2026-11-20 audience=80 stream_views=120')
    say(router, '/log tweet "Sunday thread" @ X 2026-11-22 views=10')
    say(router, '/log tweet "Next Monday" @ X 2026-11-23 views=99999')
    say(router, "/help", user=BOB)
    say(router, '/plan add post "Due next week" due 2026-11-25 @bob @ Blog')

    result = report(db, datetime(2026, 11, 23, 10, tzinfo=UTC), with_chart=False)
    summary, details = to_plain(result.summary), to_plain(result.details)

    assert "Weekly digest, 2026-11-16 – 2026-11-22\nAgainst the previous week (2026-11-09 – 2026-11-15)" in summary
    assert "• Activities: 4 (+300%) — 1 talk, 1 event, 1 publication, 1 social post" in summary
    # A percentage groups its thousands like every other number.
    assert "• Reach: 1,510 (+1,410%) · engagement 50 (new)" in summary  # 300 + 200 + 1,000 + 10
    assert "• Contacts: 20 (+100%) · cost per contact $15.00 (was $20.00)" in summary
    # The week ended yesterday: votes on its activities may still come, so its rating is "so far".
    assert "• Rating so far: no answers yet · NPS: no answers yet" in summary
    assert "• Plan fulfilment: — (nothing in the plan was due)" in summary
    top = details.split("Due this week")[0]
    assert top.index("Kafka") < top.index("Scaling Postgres") < top.index("Go meetup")
    assert "Sunday thread" not in top  # fourth by reach
    assert "2026-11-25: publication #7 Due next week @ Blog, 2026-11-25 · planned — bob" in details


def test_the_last_full_week_is_the_teams_own(router, db):
    say(router, "/help")
    set_zone(db, "America/New_York")
    sunday_night_in_new_york = datetime(2026, 11, 23, 3, tzinfo=UTC)  # Monday 03:00 UTC
    assert last_full_week(sunday_night_in_new_york, team_of(db)) == period_containing("week", date(2026, 11, 9))
    set_zone(db, "UTC")
    assert last_full_week(sunday_night_in_new_york, team_of(db)) == WEEK


def test_a_team_with_nothing_logged_gets_a_friendly_line_and_no_chart(router, db):
    say(router, "/help")
    result = report(db, datetime(2026, 11, 23, 10, tzinfo=UTC))
    assert result.chart is None and result.details == ""
    assert "Nothing logged yet — try /log" in to_plain(result.summary)


def test_the_chart_comes_with_the_report(router, db):
    say(router, '/log talk "T" @ Conf 2026-11-16 audience=10')
    result = report(db, datetime(2026, 11, 23, 10, tzinfo=UTC))
    assert result.chart is not None and result.chart.startswith(b"\x89PNG")
