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


def test_late_feedback_section_by_hand_in_a_bounded_number_of_statements(any_db):
    """Votes cast in the week on activities held before it, on SQLite and PostgreSQL: the five that got the
    most by name (ties by age of the record), all of them together, and nothing else — not votes outside the
    week, not the week's own activities, not another team's. Read in the same few statements however many
    activities got votes."""
    from sqlalchemy import event

    from storage.activities import create_activity
    from storage.domain import Kind, Status
    from storage.feedback.cards import Mode, card_posted, create_card, get_card
    from storage.feedback.results import late_feedback
    from storage.feedback.scales import Scale
    from storage.feedback.votes import cast_vote, replace_tallies
    from storage.models import FeedbackCard
    from storage.teams import get_or_create_team_for_chat

    since, until = datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC)  # the week, in UTC
    inside, before = datetime(2026, 11, 18, 12, tzinfo=UTC), datetime(2026, 11, 15, 23, 59, tzinfo=UTC)

    def activity(s, team_id: int, title: str, on: date) -> int:
        return create_activity(s, team_id=team_id, kind=Kind.TALK, title=title, on=on, status=Status.DONE,
                               values={}, tags=(), owner_id=None, created_by=None).id

    def card(s, team_id: int, activity_id: int, scale: Scale, mode: Mode = Mode.EMOJI) -> int:
        made = create_card(s, team_id=team_id, activity_id=activity_id, mode=mode, scale=scale, platform="console",
                           chat_id="C", created_by=None, now=before)
        card_posted(s, card_id=made.id, platform="console", chat_id="C", message_id=f"m{made.id}", poll_id=None)
        return made.id

    def votes(s, card_id: int, scores: list[int], at: datetime = inside, prefix: str = "v") -> None:
        for n, score in enumerate(scores):
            cast_vote(s, card=get_card(s, card_id=card_id), voter=f"{prefix}{n}", score=score, now=at)

    with any_db.session() as s:
        team_id = get_or_create_team_for_chat(s, platform="console", scope_id="T", name="T", timezone="UTC").id
        alpha = card(s, team_id, activity(s, team_id, "Alpha", date(2026, 10, 5)), Scale.RATING)
        votes(s, alpha, [5, 4, 3])  # 3 answers in the week, rating 4.0
        votes(s, alpha, [1], at=before, prefix="early")  # cast before the week
        votes(s, alpha, [1], at=until, prefix="late")  # cast after it
        beta = activity(s, team_id, "Beta", date(2026, 10, 12))
        votes(s, card(s, team_id, beta, Scale.RATING), [2, 2])  # rating 2.0
        votes(s, card(s, team_id, beta, Scale.NPS), [10, 9, 6])  # NPS (2 - 1) / 3 = +33; 5 answers in all
        gamma = card(s, team_id, activity(s, team_id, "Gamma", date(2026, 10, 19)), Scale.NPS, Mode.POLL)
        replace_tallies(s, card=s.get(FeedbackCard, gamma), tallies={"0": (10, 2), "1": (7, 2)}, now=inside)  # +50
        votes(s, card(s, team_id, activity(s, team_id, "Delta", date(2026, 11, 2)), Scale.RATING), [4, 5])  # 4.5
        votes(s, card(s, team_id, activity(s, team_id, "Epsilon", date(2026, 11, 9)), Scale.RATING), [3])
        votes(s, card(s, team_id, activity(s, team_id, "Zeta", date(2026, 11, 10)), Scale.RATING), [1, 2])  # 1.5
        eta = card(s, team_id, activity(s, team_id, "Eta", date(2026, 11, 11)), Scale.RATING, Mode.POLL)
        replace_tallies(s, card=s.get(FeedbackCard, eta), tallies={"0": (5, 3)}, now=before)  # changed before
        votes(s, card(s, team_id, activity(s, team_id, "Theta", date(2026, 11, 18)), Scale.RATING), [5])  # the week's
        other = get_or_create_team_for_chat(s, platform="console", scope_id="O", name="O", timezone="UTC").id
        votes(s, card(s, other, activity(s, other, "Other", date(2026, 10, 1)), Scale.RATING), [1, 1, 1, 1, 1, 1])

    with any_db.session() as s:
        details = to_plain(build_report(s, team=s.get(Team, team_id), period=WEEK,
                                        now=datetime(2026, 11, 23, 10, tzinfo=UTC), with_chart=False).details)
    section = details.split("Feedback that arrived for earlier activities\n")[1].split("\nDue this week")[0]
    assert section.splitlines() == [
        # Ratings 12 + 4 + 9 + 3 + 3 = 31 over 10 votes; NPS 4 promoters, 2 passives, 1 detractor of 7: +43.
        "• 6 earlier activities in all — rating 3.1 (10 votes), NPS +43 (7 answers)",
        "• talk #2 Beta, 2026-10-12 — rating 2.0 (2 votes), NPS +33 (3 answers)",
        "• talk #3 Gamma, 2026-10-19 — NPS +50 (4 answers)",
        "• talk #1 Alpha, 2026-10-05 — rating 4.0 (3 votes)",
        "• talk #4 Delta, 2026-11-02 — rating 4.5 (2 votes)",  # ties with Zeta: the older record first
        "• talk #6 Zeta, 2026-11-10 — rating 1.5 (2 votes)",
    ]

    selects: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ARG001
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            selects.append(statement)

    counts = {}
    event.listen(any_db.engine, "before_cursor_execute", count)
    try:
        for more in (0, 40):  # 40 more older activities with a late vote each
            with any_db.session() as s:
                for n in range(more):
                    votes(s, card(s, team_id, activity(s, team_id, f"More {n}", date(2026, 9, 1)), Scale.RATING), [3])
            with any_db.session() as s:
                selects.clear()
                late = late_feedback(s, team_id=team_id, since=since, until=until, held_before=date(2026, 11, 16))
                counts[more] = len(selects)
                assert late.activities == 6 + more
    finally:
        event.remove(any_db.engine, "before_cursor_execute", count)
    assert counts[0] == counts[40] <= 2, counts
