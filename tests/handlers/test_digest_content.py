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


def _chart_figures(layout) -> list[str]:
    """What the chart says: its headlines and every panel's values (repr: a gap is ``nan``)."""
    return [repr(layout.headlines), *(repr((p.title, [(s.label, s.values) for s in p.series])) for p in layout.panels)]


def test_the_digest_reads_the_charts_span_once_however_many_periods(router, db, clock):
    from sqlalchemy import event

    from handlers.digest_content import chart_windows, dashboard_layout
    from storage.metrics.period import window_numbers
    from storage.metrics.windows import window_of
    from storage.periods import periods_back
    from tests.handlers.feedback_support import person, posted, react

    # A ledger over twelve weeks: a rated talk, a post, a meetup and a plan item, and a community member.
    now = datetime(2026, 11, 23, 10, tzinfo=UTC)
    clock.now = now
    say(router, '/log talk "Early" @ Conf 2026-09-02 audience=100 contacts=10 cost=200usd')
    posted(router, say(router, "/feedback 1"))
    say(router, '/log post "Mid" @ Blog 2026-10-14 views=1000 likes=30')
    say(router, '/log meetup "Late" @ Office 2026-11-18 audience=80 stream_views=120 contacts=8 cost=80eur')
    say(router, '/plan add post "Due" due 2026-11-19 @ Blog')
    clock.now = datetime(2026, 9, 3, 9, tzinfo=UTC)
    react(router, "🔥", person("carol"))  # a 5, and carol's first interaction
    clock.now = now
    selects: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ARG001
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    counts = {}
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for weeks in (2, 4, 12):
            selects.clear()
            report(db, now, buckets=periods_back(WEEK, weeks))
            counts[weeks] = len(selects)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert counts[2] == counts[4] == counts[12], counts

    # The chart read in one go says what it says when every period is read on its own.
    with db.session() as s:
        team = s.exec(select(Team)).one()
        buckets = periods_back(WEEK, 12)
        window = window_of(WEEK, today=date(2026, 11, 23))
        windows = [window, window.previous(), *chart_windows(buckets, now=now, team=team)]
        one_by_one = {w: window_numbers(s, team=team, window=w) for w in windows}
        together = dashboard_layout(s, team=team, period=WEEK, buckets=buckets, now=now, title="T")
        alone = dashboard_layout(s, team=team, period=WEEK, buckets=buckets, now=now, title="T", numbers=one_by_one)
    assert _chart_figures(together) == _chart_figures(alone)
    figures = dict(zip([p.title for p in together.panels], [p.series for p in together.panels], strict=True))
    assert figures["Reach"][0].values == (100.0, *[0.0] * 5, 1000.0, *[0.0] * 4, 200.0)
    assert figures["Rating (1–5)"][0].values[0] == 5.0
    assert [series.values[0] for series in figures["Community members"]] == [1.0, 1.0]
