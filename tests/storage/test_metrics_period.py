"""Many windows' figures from one read of their span (the digest's period, the one before and the chart's
buckets) equal each window's own, on SQLite and PostgreSQL: the same activities, plan items, surveys and votes
fall in each window, edges included, in the team's time zone and for a slice."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import event

from storage.activities import create_activity
from storage.domain import Kind, Status
from storage.feedback.cards import Mode, card_posted, create_card
from storage.feedback.scales import Scale
from storage.feedback.survey import HireAnswer, answer_survey, start_survey
from storage.feedback.votes import cast_vote, replace_tallies
from storage.metrics.period import window_numbers, windows_numbers
from storage.metrics.windows import window_of
from storage.models import Team
from storage.periods import period_containing, periods_back
from storage.selection import EVERYTHING, Scope
from storage.teams import get_or_create_team_for_chat

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
WEEK = period_containing("week", date(2026, 11, 16))  # Mon 16 – Sun 22 Nov, running: today is Thursday 19th
TODAY = date(2026, 11, 19)


def ledger(db) -> int:
    """Three weeks of a Berlin team's work, with something on every edge a window has."""
    with db.session() as s:
        team = get_or_create_team_for_chat(s, platform="console", scope_id="t", name="T", timezone="Europe/Berlin")
        team.currency = "USD"
        s.add(team)
        s.flush()

        def log(kind: Kind, day: date, status: Status = Status.DONE, **values: object):
            return create_activity(s, team_id=team.id, kind=kind, title=f"{kind} {day}", on=day, status=status,
                                   values=values, tags=(), owner_id=None, created_by=None)

        def card(activity, scale: Scale, message: str):
            made = create_card(s, team_id=team.id, activity_id=activity.id, mode=Mode.EMOJI, scale=scale,
                               platform="console", chat_id="t", created_by=None, now=T0)
            card_posted(s, card_id=made.id, platform="console", chat_id="t", message_id=message, poll_id=None)
            s.flush()
            return made

        # Week of 2 Nov: a talk, rated 5 and 4.
        talk = log(Kind.TALK, date(2026, 11, 3), audience=100, contacts=10, cost=Decimal(200), currency="USD")
        rated = card(talk, Scale.RATING, "m1")
        for voter, score in (("a", 5), ("b", 4)):
            cast_vote(s, card=rated, voter=voter, score=score, now=T0)
        # Week of 9 Nov: a post on Tuesday with NPS answers 10, 9, 3 (cast weeks later: votes belong to their
        # activity), an event on Saturday (after the same span of the running week: Mon–Thu), a plan item done
        # on time and a dropped one.
        post = log(Kind.PUBLICATION, date(2026, 11, 10), views=1000, likes=10)
        scored = card(post, Scale.NPS, "m2")
        for voter, score in (("a", 10), ("b", 9), ("c", 3)):
            cast_vote(s, card=scored, voter=voter, score=score, now=datetime(2026, 11, 18, tzinfo=UTC))
        log(Kind.EVENT, date(2026, 11, 14), audience=50, stream_views=20, contacts=5, cost=Decimal(0))
        log(Kind.SOCIAL, date(2026, 11, 10), views=5, due_date=date(2026, 11, 11), done_on=date(2026, 11, 10))
        log(Kind.TALK, date(2026, 11, 12), Status.CANCELLED, due_date=date(2026, 11, 12))
        # Week of 16 Nov: a talk paid in euros with a typed rating and an anonymous tally of three 5s, a late
        # plan item, and a talk planned for next week (outside every window).
        paid = log(Kind.TALK, date(2026, 11, 16), audience=300, contacts=20, cost=Decimal(300), currency="EUR",
                   rating=Decimal("4.5"))
        replace_tallies(s, card=card(paid, Scale.RATING, "m3"), tallies={"🔥": (5, 3)}, now=T0)
        log(Kind.TALK, date(2026, 11, 17), Status.PLANNED, due_date=date(2026, 11, 17))
        log(Kind.TALK, date(2026, 11, 24), Status.PLANNED, due_date=date(2026, 11, 24))
        # New hires: asked at 23:30 UTC on Sunday 8th — Monday 9th in Berlin — and on the 16th (answered yes).
        for user, asked in (("h1", datetime(2026, 11, 8, 23, 30, tzinfo=UTC)),
                            ("h2", datetime(2026, 11, 16, 10, tzinfo=UTC))):
            survey, _new = start_survey(s, team_id=team.id, platform="console", user_id=user, display_name=user,
                                        asked_by=None, now=asked)
            if user == "h2":
                answer_survey(s, survey=survey, answer=HireAnswer.YES, now=asked)
        return team.id


@pytest.mark.parametrize("scope", [EVERYTHING, Scope(kind=Kind.TALK)], ids=["everything", "talks"])
def test_one_read_of_the_span_gives_each_windows_own_figures(any_db, scope):
    team_id = ledger(any_db)
    window = window_of(WEEK, today=TODAY)
    buckets = [window_of(b, today=TODAY) for b in periods_back(WEEK, 3)]
    windows = [window, window.previous(), *buckets]
    with any_db.session() as s:
        team = s.get(Team, team_id)
        together = windows_numbers(s, team=team, windows=windows, scope=scope)
        one_by_one = {w: window_numbers(s, team=team, window=w, scope=scope) for w in windows}
    assert together == one_by_one
    if scope.is_everything:  # and the figures are the ones worked out by hand
        first, second, third = (together[b] for b in buckets)
        assert (first.totals.reach, first.votes.rating, first.votes.rating_count) == (100, 4.5, 2)
        assert second.totals.reach == 1000 + 70 + 5 and second.votes.nps is not None
        assert (second.votes.nps.promoters, second.votes.nps.detractors) == (2, 1)
        assert (second.plan.due, second.plan.done_on_time) == (1, 1)  # the dropped item does not count
        assert (second.hiring.surveyed, second.hiring.answered) == (1, 0)  # asked on Monday 9th in Berlin
        # The same span of the week before the running one: Monday to Thursday, so not Saturday's event.
        assert together[window.previous()].totals.reach == 1000 + 5
        assert (third.totals.reach, third.votes.rating, third.votes.rating_count) == (300, 5.0, 3)
        assert third.reported_rating is not None and third.reported_rating.value == 4.5
        assert (third.plan.due, third.plan.done_on_time) == (1, 0)
        assert [c.currency for c in third.cost] == ["EUR"]
        assert third.hiring.influenced == 1


def selects_of(db, work) -> int:
    """How many SELECT statements ``work`` issued."""
    selects: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ARG001
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(selects)


def test_the_span_is_read_in_five_queries_however_many_windows(any_db):
    team_id = ledger(any_db)
    with any_db.session() as s:
        team = s.get(Team, team_id)
        counts = [selects_of(any_db, lambda weeks=weeks: windows_numbers(
            s, team=team, windows=[window_of(b, today=TODAY) for b in periods_back(WEEK, weeks)]))
            for weeks in (1, 3, 12)]
    assert counts == [5, 5, 5]


def test_windows_with_days_between_them_are_read_apart(any_db):
    """A running month and the same days of the month before: the rest of October is nobody's, so it is not read
    (two stretches, five queries each), and each window still has its own figures."""
    team_id = ledger(any_db)
    window = window_of(period_containing("month", TODAY), today=TODAY)  # 1–19 November, against 1–19 October
    with any_db.session() as s:
        team = s.get(Team, team_id)
        found: dict = {}
        assert selects_of(any_db, lambda: found.update(
            windows_numbers(s, team=team, windows=[window, window.previous()]))) == 10
        assert found == {w: window_numbers(s, team=team, window=w) for w in (window, window.previous())}
    assert found[window].totals.reach == 100 + 1000 + 70 + 5 + 300
