"""Engagement scores and orbit levels on a hand-computed set: weights 1/2/5/10, half-life 30 days, 90-day window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage.community.members import InteractionKind as K
from storage.community.orbit import decayed_weight, level_of, score

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def days_ago(n: float) -> datetime:
    return NOW - timedelta(days=n)


def test_each_kind_has_its_weight_and_loses_half_of_it_every_30_days():
    assert decayed_weight(K.SPEAKING, NOW, NOW) == 10.0
    assert decayed_weight(K.ATTENDANCE, days_ago(30), NOW) == 2.5
    assert decayed_weight(K.POLL_ANSWER, days_ago(60), NOW) == 0.5
    assert decayed_weight(K.REACTION, days_ago(15), NOW) == pytest.approx(0.7071068, abs=1e-7)  # 2 ** -0.5
    assert decayed_weight(K.REACTION, days_ago(90), NOW) == 0.0  # outside the window
    assert decayed_weight(K.REACTION, days_ago(-1), NOW) == 0.0  # not yet happened


def test_a_members_score_is_the_decayed_sum_of_the_last_90_days_and_places_them_in_a_level():
    # A speaker today (10), who attended a month ago (5 → 2.5), answered a poll two months ago (2 → 0.5)
    # and reacted four months ago (outside the window): 13.0 → level 2.
    speaker = [(K.SPEAKING, NOW), (K.ATTENDANCE, days_ago(30)), (K.POLL_ANSWER, days_ago(60)),
               (K.REACTION, days_ago(120))]
    assert score(speaker, NOW) == 13.0
    assert level_of(score(speaker, NOW)) == 2
    # Two talks and an attendance this week: 10 + 10 + 5 = 25 → level 1.
    assert level_of(score([(K.SPEAKING, NOW), (K.SPEAKING, NOW), (K.ATTENDANCE, NOW)], NOW)) == 1
    # Three reactions 30 days ago and a poll answer today: 3 × 0.5 + 2 = 3.5 → level 3.
    fan = [(K.REACTION, days_ago(30))] * 3 + [(K.POLL_ANSWER, NOW)]
    assert score(fan, NOW) == 3.5 and level_of(3.5) == 3
    # One reaction a month ago: 0.5 → level 4, an explorer; nothing in 90 days → no level.
    assert level_of(score([(K.REACTION, days_ago(30))], NOW)) == 4
    assert level_of(score([(K.ATTENDANCE, days_ago(100))], NOW)) is None
    # The thresholds themselves belong to the higher level.
    assert [level_of(v) for v in (20.0, 19.99, 8.0, 7.99, 3.0, 2.99, 0.01, 0.0)] == [1, 2, 2, 3, 3, 4, 4, None]
