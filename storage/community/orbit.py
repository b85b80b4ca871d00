"""Engagement and orbit levels — pure functions, the definitions the README states.

- Each interaction has a weight: reaction 1, poll answer 2, attendance 5, speaking 10.
- It decays with age: ``weight × 0.5 ^ (age in days / 30)`` — worth half after 30 days, a quarter after 60.
- A member's score at a moment is the sum over their interactions of the last 90 days (``now − 90 days < at ≤
  now``); older ones count nothing.
- The score places them in an orbit level: 1 (score ≥ 20, the most engaged), 2 (≥ 8), 3 (≥ 3), 4 (> 0, the
  explorers). A member with no interaction in 90 days is outside every orbit (no level).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from storage.community.members import InteractionKind

WEIGHTS: dict[InteractionKind, float] = {
    InteractionKind.REACTION: 1.0,
    InteractionKind.POLL_ANSWER: 2.0,
    InteractionKind.ATTENDANCE: 5.0,
    InteractionKind.SPEAKING: 10.0,
}
HALF_LIFE_DAYS = 30.0
WINDOW = timedelta(days=90)
# The lowest score of levels 1, 2 and 3; any positive score below them is level 4.
LEVEL_THRESHOLDS: tuple[float, float, float] = (20.0, 8.0, 3.0)
LEVELS = (1, 2, 3, 4)


@dataclass(frozen=True)
class Orbit:
    """A team's weights and level thresholds (``/settings orbit``); the defaults are the README's."""

    weights: dict[InteractionKind, float] = field(default_factory=lambda: dict(WEIGHTS))
    thresholds: tuple[float, float, float] = LEVEL_THRESHOLDS

    def dumps(self) -> str:
        """As the team row keeps it: "reaction=1 poll_answer=2 attendance=5 speaking=10 levels=20/8/3"."""
        weights = " ".join(f"{k.value}={_number(self.weights[k])}" for k in InteractionKind)
        return f"{weights} levels={'/'.join(_number(t) for t in self.thresholds)}"

    @classmethod
    def loads(cls, text: str | None) -> Orbit:
        """The stored form back (None or a damaged value: the defaults)."""
        if not text:
            return DEFAULT_ORBIT
        try:
            values = dict(part.split("=", 1) for part in text.split())
            weights = {k: float(values.get(k.value, WEIGHTS[k])) for k in InteractionKind}
            a, b, c = (float(t) for t in values["levels"].split("/"))
        except (ValueError, KeyError):
            return DEFAULT_ORBIT
        return cls(weights=weights, thresholds=(a, b, c))


def _number(value: float) -> str:
    return f"{value:g}"


DEFAULT_ORBIT = Orbit()


def decayed_weight(kind: InteractionKind, at: datetime, now: datetime, orbit: Orbit = DEFAULT_ORBIT) -> float:
    """What one interaction is worth at ``now``: 0 outside the 90-day window (and for one in the future)."""
    age = now - at
    if age < timedelta(0) or age >= WINDOW:
        return 0.0
    return orbit.weights[kind] * 0.5 ** (age / timedelta(days=HALF_LIFE_DAYS))


def score(interactions: Iterable[tuple[InteractionKind, datetime]], now: datetime,
          orbit: Orbit = DEFAULT_ORBIT) -> float:
    return sum(decayed_weight(kind, at, now, orbit) for kind, at in interactions)


def level_of(value: float, orbit: Orbit = DEFAULT_ORBIT) -> int | None:
    """The orbit level of a score: 1 … 4, or None for no engagement in the window."""
    if value <= 0:
        return None
    for level, threshold in zip(LEVELS, orbit.thresholds, strict=False):
        if value >= threshold:
            return level
    return LEVELS[-1]
