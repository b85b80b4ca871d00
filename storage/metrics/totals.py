"""Counts by kind and the summed figures of a set of activities, each activity's figures kept for rankings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from storage.domain import Kind
from storage.metrics.activity import engagement, reach
from storage.models import Activity


@dataclass(frozen=True)
class ActivityTotals:
    """One activity's figures. ``hires`` is what the recruiting pipeline reported (``hires=``); new-hire survey
    answers are hiring influence, a figure of their own, never added to it (a hire would count twice)."""

    activity: Activity
    reach: int
    engagement: int
    contacts: int
    target_actions: int
    hires: int


@dataclass(frozen=True)
class Totals:
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


def activity_totals(a: Activity) -> ActivityTotals:
    return ActivityTotals(activity=a, reach=reach(a), engagement=engagement(a), contacts=a.contacts or 0,
                          target_actions=a.target_actions or 0, hires=a.hires or 0)


def totals_of(activities: Sequence[Activity]) -> Totals:
    rows = [activity_totals(a) for a in activities]
    by_kind: dict[Kind, int] = {}
    for a in activities:
        by_kind[Kind(a.kind)] = by_kind.get(Kind(a.kind), 0) + 1
    return Totals(
        by_kind={k: by_kind[k] for k in Kind if k in by_kind},
        reach=sum(r.reach for r in rows),
        engagement=sum(r.engagement for r in rows),
        contacts=sum(r.contacts for r in rows),
        target_actions=sum(r.target_actions for r in rows),
        hires=sum(r.hires for r in rows),
        rows=rows,
    )


def top_by_reach(totals: Totals, n: int) -> list[ActivityTotals]:
    """The ``n`` activities that reached most; the older id first on a tie."""
    return sorted(totals.rows, key=lambda r: (-r.reach, r.activity.id or 0))[:n]
