"""The metric definitions of PRODUCT.md and its Decisions, on hand-computed examples (expected figures are
literals worked out by hand, never computed with the code under test)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from storage.domain import Kind
from storage.metrics.activity import engagement, reach
from storage.metrics.cost import cost_per_contact
from storage.metrics.hiring import HiringInfluence, hiring_influence
from storage.metrics.plan import fulfilment
from storage.metrics.rounding import half_up
from storage.metrics.scores import mean_rating, nps, reported
from storage.metrics.shares import percent_change, ratio
from storage.metrics.windows import Window, window_of
from storage.models import Activity, HireSurvey
from storage.periods import Period, period_containing


def activity(kind: Kind, **values: object) -> Activity:
    return Activity(team_id=1, kind=kind.value, title="x", title_key="x", date=date(2026, 11, 2), **values)


def test_reach_is_audience_plus_stream_for_in_person_and_views_online():
    assert reach(activity(Kind.EVENT, audience=80, stream_views=1200, views=7)) == 1280
    assert reach(activity(Kind.TALK, audience=300)) == 300
    assert reach(activity(Kind.PUBLICATION, audience=5, views=12_000)) == 12_000


def test_a_partnership_without_an_audience_reaches_its_participants():
    assert reach(activity(Kind.PARTNERSHIP, participants=450)) == 450
    assert reach(activity(Kind.PARTNERSHIP, audience=200, participants=450)) == 200
    assert reach(activity(Kind.TALK, participants=450)) == 0  # only a partnership reaches its participants


def test_engagement():
    assert engagement(activity(Kind.SOCIAL, likes=80, shares=12, comments=8)) == 100


def test_cost_per_contact_per_currency_with_its_basis():
    scope = [
        activity(Kind.EVENT, cost=Decimal("2650"), currency="EUR", contacts=40),  # €66.25 a contact
        activity(Kind.TALK, contacts=55),  # contacts without a cost
        activity(Kind.PARTNERSHIP, cost=Decimal("900"), currency="EUR"),  # a cost without contacts: not counted
    ]
    (eur,) = cost_per_contact(scope, default_currency="USD")
    assert (eur.currency, eur.cost, eur.contacts, eur.all_contacts, eur.value, eur.partial) == (
        "EUR", Decimal("2650"), 40, 95, Decimal("66.25"), True)


def test_currencies_are_never_mixed_the_teams_comes_first_and_zero_is_a_real_cost():
    scope = [
        activity(Kind.EVENT, cost=Decimal("500"), currency="EUR", contacts=10),
        activity(Kind.EVENT, cost=Decimal("300"), currency="USD", contacts=20),
        activity(Kind.TALK, cost=Decimal("0"), currency="USD", contacts=20),
    ]
    figures = cost_per_contact(scope, default_currency="USD")
    assert [(f.currency, f.value, f.contacts, f.all_contacts) for f in figures] == [
        ("USD", Decimal("7.5"), 40, 50), ("EUR", Decimal("50"), 10, 50)]
    (free,) = cost_per_contact([activity(Kind.TALK, cost=Decimal("0"), currency="USD", contacts=20)],
                               default_currency="USD")
    assert (free.value, free.partial) == (Decimal("0"), False)
    assert cost_per_contact([activity(Kind.TALK, contacts=20)], default_currency="USD") == ()


def test_plan_fulfilment_counts_only_items_due_up_to_the_day():
    items = [
        activity(Kind.TALK, status="done", due_date=date(2026, 12, 3), done_on=date(2026, 12, 3)),  # on time
        activity(Kind.TALK, status="done", due_date=date(2026, 12, 4), done_on=date(2026, 12, 8)),  # late
        activity(Kind.TALK, status="planned", due_date=date(2026, 12, 9)),  # overdue on the 10th: a miss
        activity(Kind.TALK, status="planned", due_date=date(2026, 12, 15)),  # not due yet: not counted
        activity(Kind.TALK, status="cancelled", due_date=date(2026, 12, 2)),  # dropped: not counted
    ]
    on_the_tenth = fulfilment(items, through=date(2026, 12, 10))
    assert (on_the_tenth.due, on_the_tenth.done_on_time, on_the_tenth.share) == (3, 1, 1 / 3)
    assert fulfilment(items, through=date(2026, 12, 1)).share is None


def test_votes_and_typed_results_are_separate_figures():
    assert mean_rating([5, 4, 3]) == 4
    assert mean_rating([]) is None
    # 6 promoters (9-10), 2 passives (7-8), 2 detractors (0-6): 60% - 20% = 40.
    result = nps([10, 9, 9, 10, 9, 10, 7, 8, 6, 0])
    assert result is not None
    assert (result.score, result.promoters, result.passives, result.detractors, result.count) == (40, 6, 2, 2, 10)
    assert nps([]) is None
    typed = [activity(Kind.TALK, rating=4.6), activity(Kind.EVENT, rating=4.8, nps=91), activity(Kind.TALK)]
    rating, score = reported(typed, "rating"), reported(typed, "nps")
    assert rating is not None and score is not None
    assert (rating.value, rating.activities, rating.kinds) == (pytest.approx(4.7), 2, {Kind.TALK, Kind.EVENT})
    assert (score.value, score.activities, score.kinds) == (91, 1, {Kind.EVENT})
    assert reported([activity(Kind.TALK)], "nps") is None


def test_hiring_influence_has_both_denominators():
    surveys = [HireSurvey(team_id=1, platform="slack", user_id=str(i), display_name="h", answer=answer)
               for i, answer in enumerate(["yes", "partly", "no", None])]
    result = hiring_influence(surveys)
    assert result == HiringInfluence(yes=1, partly=1, answered=3, surveyed=4)
    assert result.share == 2 / 3
    assert hiring_influence([]).share is None


@pytest.mark.parametrize(("value", "places", "shown"), [
    (4.25, 1, "4.3"), (4.35, 1, "4.4"), (62.5, 0, "63"), (66.665, 2, "66.67"), (-62.5, 0, "-63"),
    (Decimal("0.125"), 2, "0.13"),
])
def test_display_rounding_is_half_up(value, places, shown):
    assert str(half_up(value, places)) == shown


def test_a_running_period_is_compared_with_the_same_days_of_the_previous_one():
    december = window_of(period_containing("month", date(2026, 12, 10)), today=date(2026, 12, 10))
    assert (december.start, december.last_day, december.partial) == (date(2026, 12, 1), date(2026, 12, 10), True)
    before = december.previous()
    assert (before.start, before.last_day) == (date(2026, 11, 1), date(2026, 11, 10))
    # The 31st of a month against a 30-day month: all of it, not a day beyond.
    assert window_of(Period("month", date(2026, 12, 1), date(2027, 1, 1)), today=date(2026, 12, 31)).previous() == \
        Window(Period("month", date(2026, 11, 1), date(2026, 12, 1)), date(2026, 12, 1))
    over = window_of(period_containing("week", date(2026, 11, 16)), today=date(2026, 11, 26))
    assert (over.partial, over.previous().start, over.previous().last_day) == (
        False, date(2026, 11, 9), date(2026, 11, 15))


def test_ratios_and_changes_are_undefined_on_nothing():
    assert ratio(3, 4) == 0.75
    assert ratio(0, 0) is None
    assert percent_change(150, 100) == 50
    assert percent_change(5, 0) is None
