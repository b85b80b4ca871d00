"""Every figure of one window of a scope, computed once here and shown by every surface."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from storage.feedback.results import FeedbackSummary, feedback_of_activities
from storage.metrics.cost import CostPerContact, cost_per_contact
from storage.metrics.hiring import HiringInfluence, hiring_influence
from storage.metrics.plan import Fulfilment, fulfilment
from storage.metrics.scores import Reported, reported
from storage.metrics.totals import Totals, totals_of
from storage.metrics.windows import Window
from storage.models import Team
from storage.scope import Selection, select_scope
from storage.selection import EVERYTHING, Scope


@dataclass(frozen=True)
class PeriodNumbers:
    window: Window
    totals: Totals
    cost: tuple[CostPerContact, ...]  # per currency; empty: nothing has both a cost and contacts
    plan: Fulfilment
    votes: FeedbackSummary  # the community's votes on the window's activities, whenever cast
    reported_rating: Reported | None  # rating= typed on the window's activities
    reported_nps: Reported | None  # nps= typed on them
    hiring: HiringInfluence


def numbers_of(session: Session, selection: Selection, *, window: Window, currency: str) -> PeriodNumbers:
    """``currency`` is the team's: it comes first among the cost figures and stands in for a cost typed
    without one."""
    activities = selection.activities
    return PeriodNumbers(
        window=window,
        totals=totals_of(activities),
        cost=cost_per_contact(activities, default_currency=currency),
        plan=fulfilment(selection.plan_items, through=window.last_day),
        votes=feedback_of_activities(session, activity_ids=[a.id for a in activities]),
        reported_rating=reported(activities, "rating"),
        reported_nps=reported(activities, "nps"),
        hiring=hiring_influence(selection.surveys),
    )


def window_numbers(session: Session, *, team: Team, window: Window, scope: Scope = EVERYTHING) -> PeriodNumbers:
    """A team's figures for a window: select the scope, then measure it."""
    assert team.id is not None  # a stored team
    selection = select_scope(session, team_id=team.id, start=window.start, end=window.end, timezone=team.timezone,
                             scope=scope)
    return numbers_of(session, selection, window=window, currency=team.currency)
