"""Goals: a target per metric for a month, quarter or year, and the progress against it at a given day.

Counted metrics (talks, reach, hires…) are on track when what is done keeps pace with the time gone by:
7 of 12 talks with 62% of the quarter gone is behind (7.4 were due), 8 of 12 is on track. Levels (NPS, rating)
are on track while the period's value is at or above the target.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlmodel import Session, col, select

from storage.domain import Kind
from storage.feedback.results import feedback_of_activities
from storage.metrics.totals import totals_of
from storage.models import Activity, Goal, utcnow
from storage.periods import Period, elapsed_share
from storage.scope import done_activities
from storage.selection import Scope

LEVEL_METRICS = frozenset({"nps", "rating"})
KIND_METRICS: dict[str, Kind] = {
    "talks": Kind.TALK,
    "events": Kind.EVENT,
    "partnerships": Kind.PARTNERSHIP,
    "publications": Kind.PUBLICATION,
    "social": Kind.SOCIAL,
}


class Pace(StrEnum):
    REACHED = "reached"
    ON_TRACK = "on track"
    BEHIND = "behind"
    MISSED = "missed"
    NO_DATA = "no data"


def set_goal(
    session: Session, *, team_id: int, period: Period, metric: str, target: float, tag: str | None,
    member_id: int | None, created_by: int | None,
) -> tuple[Goal, bool]:
    """The goal for this metric, period and scope, with its new target; True when it is new (else replaced)."""
    goal = session.exec(
        select(Goal).where(
            Goal.team_id == team_id, Goal.start == period.start, Goal.end == period.end, Goal.metric == metric,
            col(Goal.tag).is_(None) if tag is None else Goal.tag == tag,
            col(Goal.member_id).is_(None) if member_id is None else Goal.member_id == member_id,
        )
    ).first()
    new = goal is None
    if goal is None:
        goal = Goal(team_id=team_id, period=period.name, start=period.start, end=period.end, metric=metric,
                    target=target, tag=tag, member_id=member_id, created_by=created_by, created_at=utcnow())
    goal.target = target
    session.add(goal)
    session.flush()
    return goal, new


def goals_on(session: Session, *, team_id: int, day: date) -> list[Goal]:
    """Goals whose period contains ``day``: years first, then quarters, months; by id within each."""
    rows = session.exec(
        select(Goal).where(Goal.team_id == team_id, Goal.start <= day, Goal.end > day)
    ).all()
    order = {"year": 0, "quarter": 1, "month": 2}
    return sorted(rows, key=lambda g: (order.get(g.period, 3), g.id or 0))


def goals_from(session: Session, *, team_id: int, day: date) -> list[Goal]:
    """Goals of periods not over by ``day`` (current and future), soonest first."""
    rows = session.exec(select(Goal).where(Goal.team_id == team_id, Goal.end > day)).all()
    return sorted(rows, key=lambda g: (g.start, -(g.end - g.start).days, g.id or 0))


def get_goal(session: Session, *, team_id: int, goal_id: int) -> Goal | None:
    goal = session.get(Goal, goal_id)
    return goal if goal is not None and goal.team_id == team_id else None


def drop_goal(session: Session, *, goal: Goal) -> None:
    session.delete(goal)
    session.flush()


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    value: float | None  # None: a level with no answers yet
    elapsed: float  # share of the period gone by, 0..1
    pace: Pace

    @property
    def share(self) -> float | None:
        """value / target (may exceed 1); None with no value or a target of zero."""
        if self.value is None or self.goal.target == 0:
            return None
        return self.value / self.goal.target

    @property
    def expected(self) -> float:
        """Where a counted metric should be by now, at an even pace."""
        return self.goal.target * self.elapsed


def goal_period(goal: Goal) -> Period:
    return Period(goal.period, goal.start, goal.end)  # type: ignore[arg-type]


def progress(session: Session, *, goal: Goal, today: date) -> GoalProgress:
    """Progress measured over the goal's period up to and including ``today``."""
    period = goal_period(goal)
    elapsed = elapsed_share(period, today)
    end = min(goal.end, today + timedelta(days=1))
    scope = Scope(tags=(goal.tag,) if goal.tag else (),
                  owner_ids=(goal.member_id,) if goal.member_id is not None else None)
    activities = done_activities(session, team_id=goal.team_id, start=goal.start, end=max(end, goal.start),
                                 scope=scope)
    value = measure(session, goal.metric, activities)
    return GoalProgress(goal=goal, value=value, elapsed=elapsed, pace=pace_of(goal, value, elapsed))


def measure(session: Session, metric: str, activities: Sequence[Activity]) -> float | None:
    if metric in LEVEL_METRICS:
        summary = feedback_of_activities(session, activity_ids=[a.id for a in activities])
        if metric == "rating":
            return summary.rating
        return summary.nps.score if summary.nps is not None else None
    totals = totals_of(activities)
    if metric in KIND_METRICS:
        return float(totals.by_kind.get(KIND_METRICS[metric], 0))
    return float(getattr(totals, metric))


def pace_of(goal: Goal, value: float | None, elapsed: float) -> Pace:
    over = elapsed >= 1
    if value is None:
        return Pace.MISSED if over else Pace.NO_DATA
    if goal.metric in LEVEL_METRICS:
        if value >= goal.target:
            return Pace.REACHED if over else Pace.ON_TRACK
        return Pace.MISSED if over else Pace.BEHIND
    if value >= goal.target:
        return Pace.REACHED
    if over:
        return Pace.MISSED
    # A small tolerance so that rounding (7.999 of an expected 8) does not read as behind.
    return Pace.ON_TRACK if value + 1e-9 >= goal.target * elapsed else Pace.BEHIND
