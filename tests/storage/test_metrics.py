"""The metric definitions of PRODUCT.md, on hand-computed examples."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storage.domain import Kind
from storage.metrics import (
    Figures,
    cost_per_contact,
    engagement,
    hiring_influence,
    mean_rating,
    nps,
    percent_change,
    plan_fulfilment,
    reach,
)


def test_reach_is_audience_plus_stream_for_in_person_and_views_online():
    assert reach(Figures(Kind.EVENT, audience=80, stream_views=1200, views=7)) == 1280
    assert reach(Figures(Kind.TALK, audience=300)) == 300
    assert reach(Figures(Kind.PUBLICATION, audience=5, views=12_000)) == 12_000


def test_engagement():
    assert engagement(Figures(Kind.SOCIAL, likes=80, shares=12, comments=8)) == 100


@pytest.mark.parametrize(("cost", "contacts", "expected"), [
    (Decimal("1500"), 25, Decimal("60.00")), (Decimal("100"), 3, Decimal("33.33")),
    (Decimal("100"), 0, None), (None, 10, None), (Decimal("100"), None, None),
])
def test_cost_per_contact_is_undefined_without_contacts(cost, contacts, expected):
    assert cost_per_contact(cost, contacts) == expected


def test_nps_by_hand():
    # 6 promoters (9-10), 2 passives (7-8), 2 detractors (0-6): 60% - 20% = 40.
    result = nps([10, 9, 9, 10, 9, 10, 7, 8, 6, 0])
    assert (result.score, result.promoters, result.passives, result.detractors, result.count) == (40, 6, 2, 2, 10)
    assert nps([]) is None


def test_rating_plan_fulfilment_hiring_and_change_are_undefined_on_nothing():
    assert mean_rating([5, 4, 3]) == 4
    assert mean_rating([]) is None
    assert plan_fulfilment(3, 4) == 0.75
    assert plan_fulfilment(0, 0) is None
    assert hiring_influence(yes=2, partly=1, surveyed=6) == 0.5
    assert percent_change(150, 100) == 50
    assert percent_change(5, 0) is None
