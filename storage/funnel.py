"""The hiring funnel: reach → contacts → target actions → hires over a slice of the ledger, with the
conversion at each step and the activities that contributed most."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from storage.metrics import ratio
from storage.scope import ActivityTotals, scope_totals
from storage.selection import EVERYTHING, Scope

STEPS: tuple[str, ...] = ("reach", "contacts", "target_actions", "hires")


@dataclass(frozen=True)
class Funnel:
    values: tuple[int, int, int, int]  # reach, contacts, target actions, hires
    top: tuple[ActivityTotals, ...]  # the activities that contributed most, best first
    activities: int

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


def funnel(session: Session, *, team_id: int, start: date, end: date, scope: Scope = EVERYTHING,
           top: int = 3) -> Funnel:
    totals = scope_totals(session, team_id=team_id, start=start, end=end, scope=scope)
    best = sorted((r for r in totals.rows if any(contribution(r))),
                  key=lambda r: (*(-v for v in contribution(r)), r.activity.id or 0))
    return Funnel(
        values=(totals.reach, totals.contacts, totals.target_actions, totals.hires),
        top=tuple(best[:top]),
        activities=totals.activities,
    )
