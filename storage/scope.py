"""A slice of the ledger — a tag, a person, a purpose — over a span of days, and its totals.

Goals and the hiring funnel are measured on done activities of a span, optionally narrowed; the totals use
the one definition of each metric in :mod:`storage.metrics`. Hires of an activity are the hires the recruiting
pipeline credits to it (``hires=``) plus the new-hire survey answers (yes or partly) that name it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, func, select

from storage.activities import figures_of
from storage.domain import Kind
from storage.metrics import engagement, reach
from storage.models import Activity, HireSurvey
from storage.selection import EVERYTHING, Scope, done_in_scope

INFLUENCED = ("yes", "partly")


def done_activities(
    session: Session, *, team_id: int, start: date, end: date, scope: Scope = EVERYTHING
) -> list[Activity]:
    """Done activities of a team with ``start <= date < end`` in the scope, oldest first."""
    query = select(Activity).where(*done_in_scope(team_id=team_id, start=start, end=end, scope=scope))
    return list(session.exec(query.order_by(col(Activity.date), col(Activity.id))).all())


def surveyed_hires(session: Session, *, activity_ids: Iterable[int | None]) -> dict[int, int]:
    """New hires who answered yes or partly and named the activity, per activity id."""
    ids = [i for i in activity_ids if i is not None]
    if not ids:
        return {}
    rows = session.exec(
        select(HireSurvey.activity_id, func.count())
        .where(col(HireSurvey.activity_id).in_(ids), col(HireSurvey.answer).in_(INFLUENCED))
        .group_by(col(HireSurvey.activity_id))
    ).all()
    return {int(activity_id): int(n) for activity_id, n in rows if activity_id is not None}


@dataclass(frozen=True)
class ActivityTotals:
    """One activity's funnel figures."""

    activity: Activity
    reach: int
    contacts: int
    target_actions: int
    hires: int


@dataclass(frozen=True)
class Totals:
    """Sums over a set of done activities."""

    by_kind: dict[Kind, int] = field(default_factory=dict)
    reach: int = 0
    engagement: int = 0
    contacts: int = 0
    target_actions: int = 0
    hires: int = 0
    rows: Sequence[ActivityTotals] = ()

    @property
    def activities(self) -> int:
        return sum(self.by_kind.values())


def totals_of(session: Session, activities: Sequence[Activity]) -> Totals:
    surveyed = surveyed_hires(session, activity_ids=[a.id for a in activities])
    by_kind: dict[Kind, int] = {}
    rows: list[ActivityTotals] = []
    total_engagement = 0
    for activity in activities:
        figures = figures_of(activity)
        by_kind[figures.kind] = by_kind.get(figures.kind, 0) + 1
        total_engagement += engagement(figures)
        rows.append(ActivityTotals(
            activity=activity,
            reach=reach(figures),
            contacts=figures.contacts,
            target_actions=figures.target_actions,
            hires=(activity.hires or 0) + surveyed.get(activity.id or -1, 0),
        ))
    return Totals(
        by_kind=by_kind,
        reach=sum(r.reach for r in rows),
        engagement=total_engagement,
        contacts=sum(r.contacts for r in rows),
        target_actions=sum(r.target_actions for r in rows),
        hires=sum(r.hires for r in rows),
        rows=rows,
    )


def scope_totals(session: Session, *, team_id: int, start: date, end: date, scope: Scope = EVERYTHING) -> Totals:
    return totals_of(session, done_activities(session, team_id=team_id, start=start, end=end, scope=scope))
