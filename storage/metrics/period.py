"""Every figure of one window of a scope, computed once here and shown by every surface."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from storage.feedback.results import FeedbackSummary, feedback_of_activities, summary_of, votes_by_activity
from storage.metrics.cost import CostPerContact, cost_per_contact
from storage.metrics.hiring import HiringInfluence, hiring_influence
from storage.metrics.plan import Fulfilment, fulfilment
from storage.metrics.scores import Reported, reported
from storage.metrics.totals import Totals, totals_of
from storage.metrics.windows import Window
from storage.models import Activity, Team
from storage.scope import Selection, select_scope
from storage.selection import EVERYTHING, Scope, done_in_scope


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
    votes = feedback_of_activities(session, activity_ids=[a.id for a in selection.activities])
    return measure(selection, window=window, currency=currency, votes=votes)


def measure(selection: Selection, *, window: Window, currency: str, votes: FeedbackSummary) -> PeriodNumbers:
    """The figures of a selection whose votes were read already: no query."""
    activities = selection.activities
    return PeriodNumbers(
        window=window,
        totals=totals_of(activities),
        cost=cost_per_contact(activities, default_currency=currency),
        plan=fulfilment(selection.plan_items, through=window.last_day),
        votes=votes,
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


def windows_numbers(
    session: Session, *, team: Team, windows: Iterable[Window], scope: Scope = EVERYTHING
) -> dict[Window, PeriodNumbers]:
    """The figures of many windows (a period, the one before, a chart's buckets), each equal to
    :func:`window_numbers` of it, from one read of the days they cover: the scope's rows and their votes are
    selected once per stretch of consecutive days (five queries; one stretch for a chart and its period) and
    each window measures its part of them."""
    assert team.id is not None  # a stored team
    found: dict[Window, PeriodNumbers] = {}
    for start, end, inside in _stretches(list(dict.fromkeys(windows))):
        span = select_scope(session, team_id=team.id, start=start, end=end, timezone=team.timezone, scope=scope)
        votes = votes_by_activity(session, activity_ids=select(Activity.id).where(
            *done_in_scope(team_id=team.id, start=start, end=end, scope=scope)))
        for window in inside:
            part = span.within(start=window.start, end=window.end, timezone=team.timezone)
            rows = [row for a in part.activities for row in votes.get(a.id or 0, ())]
            found[window] = measure(part, window=window, currency=team.currency, votes=summary_of(rows))
    return found


def _stretches(windows: list[Window]) -> list[tuple[date, date, list[Window]]]:
    """The windows grouped into stretches of days without a gap (a running month and the same days of the one
    before are two: the rest of that month is nobody's), each with its first day and its end."""
    stretches: list[tuple[date, date, list[Window]]] = []
    for window in sorted(windows, key=lambda w: (w.start, w.end)):
        if stretches and window.start <= stretches[-1][1]:
            start, end, inside = stretches[-1]
            stretches[-1] = (start, max(end, window.end), [*inside, window])
        else:
            stretches.append((window.start, window.end, [window]))
    return stretches
