"""The hiring funnel: reach → contacts → target actions → hires over a slice of the ledger, with the
conversion at each step and the activities that contributed most."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from storage.metrics.hiring import HiringInfluence, hiring_influence
from storage.metrics.shares import ratio
from storage.metrics.totals import ActivityTotals, totals_of
from storage.scope import done_activities, surveys_for
from storage.selection import EVERYTHING, Scope

STEPS: tuple[str, ...] = ("reach", "contacts", "target_actions", "hires")


@dataclass(frozen=True)
class Funnel:
    values: tuple[int, int, int, int]  # reach, contacts, target actions, hires
    top: tuple[ActivityTotals, ...]  # the activities that contributed most, best first
    activities: int
    hiring: HiringInfluence  # the new-hire survey (whole team only): beside the hires, never added to them

    def conversions(self) -> tuple[float | None, ...]:
        """Each step over the one before it (contacts / reach, …); None where the step before is zero."""
        return tuple(ratio(after, before) for before, after in zip(self.values, self.values[1:], strict=False))

    @property
    def overall(self) -> float | None:
        """Hires per person reached."""
        return ratio(self.values[3], self.values[0])


def contribution(row: ActivityTotals) -> tuple[int, int, int, int]:
    """Deeper steps first: a hire outweighs any number of contacts."""
    return (row.hires, row.target_actions, row.contacts, row.reach)


def funnel(session: Session, *, team_id: int, start: date, end: date, timezone: str = "UTC",
           scope: Scope = EVERYTHING, top: int = 3) -> Funnel:
    activities = done_activities(session, team_id=team_id, start=start, end=end, scope=scope)
    totals = totals_of(activities)
    surveys = surveys_for(session, team_id=team_id, start=start, end=end, timezone=timezone, scope=scope)
    best = sorted((r for r in totals.rows if any(contribution(r))),
                  key=lambda r: (*(-v for v in contribution(r)), r.activity.id or 0))
    return Funnel(
        values=(totals.reach, totals.contacts, totals.target_actions, totals.hires),
        top=tuple(best[:top]),
        activities=totals.activities,
        hiring=hiring_influence(surveys),
    )
