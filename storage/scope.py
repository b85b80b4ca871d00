"""What a window's figures are computed from: the rows of a scope (done activities, plan items, new-hire surveys)
and, for a breakdown, those activities split into segments.

The scope's conditions are :mod:`storage.selection`'s; every figure of a selection is computed by
:mod:`storage.metrics`, which never looks at the scope itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from storage.activities import tags_of
from storage.models import Activity, HireSurvey
from storage.periods import local_moment
from storage.selection import EVERYTHING, Dimension, Scope, done_in_scope, scope_conditions


@dataclass(frozen=True)
class Selection:
    """What a window's figures are computed from."""

    activities: Sequence[Activity]  # done, held in the window, in scope; oldest first
    plan_items: Sequence[Activity]  # plan items (any status) due in the window, in scope
    surveys: Sequence[HireSurvey]  # new-hire surveys asked in the window (none for a slice)

    def within(self, *, start: date, end: date, timezone: str) -> Selection:
        """The part of a selection of a longer span that a window ``start <= day < end`` inside it would have
        selected: the same bounds as the queries below (an activity's day, a plan item's due date, the local
        days a survey was asked on), so a chart's periods can be read in one go and measured one by one."""
        since, until = local_moment(start, 0, timezone), local_moment(end, 0, timezone)
        return Selection(
            activities=[a for a in self.activities if start <= a.date < end],
            plan_items=[i for i in self.plan_items if i.due_date is not None and start <= i.due_date < end],
            surveys=[s for s in self.surveys if since <= s.asked_at < until],
        )


def done_activities(
    session: Session, *, team_id: int, start: date, end: date, scope: Scope = EVERYTHING
) -> list[Activity]:
    """Done activities of a team with ``start <= date < end`` in the scope, oldest first."""
    query = select(Activity).where(*done_in_scope(team_id=team_id, start=start, end=end, scope=scope))
    return list(session.exec(query.order_by(col(Activity.date), col(Activity.id))).all())


def plan_items_due(
    session: Session, *, team_id: int, start: date, end: date, scope: Scope = EVERYTHING
) -> list[Activity]:
    """Plan items (any status) with ``start <= due_date < end`` in the scope, soonest first."""
    query = select(Activity).where(
        Activity.team_id == team_id, col(Activity.due_date) >= start, col(Activity.due_date) < end,
        *scope_conditions(scope),
    )
    return list(session.exec(query.order_by(col(Activity.due_date), col(Activity.id))).all())


def surveys_for(
    session: Session, *, team_id: int, start: date, end: date, timezone: str, scope: Scope = EVERYTHING
) -> list[HireSurvey]:
    """The surveys asked on those local days. None for a slice: a new hire answers about DevRel as a whole,
    not about a slice of it."""
    if not scope.is_everything:
        return []
    query = select(HireSurvey).where(
        HireSurvey.team_id == team_id,
        HireSurvey.asked_at >= local_moment(start, 0, timezone),
        HireSurvey.asked_at < local_moment(end, 0, timezone),
    )
    return list(session.exec(query.order_by(col(HireSurvey.id))).all())


def select_scope(
    session: Session, *, team_id: int, start: date, end: date, timezone: str, scope: Scope = EVERYTHING
) -> Selection:
    """Everything a window ``start <= day < end`` of the scope is measured on."""
    return Selection(
        activities=done_activities(session, team_id=team_id, start=start, end=end, scope=scope),
        plan_items=plan_items_due(session, team_id=team_id, start=start, end=end, scope=scope),
        surveys=surveys_for(session, team_id=team_id, start=start, end=end, timezone=timezone, scope=scope),
    )


def segments(
    session: Session, activities: Sequence[Activity], *, by: Dimension, scope: Scope = EVERYTHING
) -> dict[str | None, list[Activity]]:
    """The activities per segment key: a kind, a tag, an owner's member id as text, a purpose; None for those
    without a tag, an owner or a purpose. By tag, an activity is in each of its tags' segments — only the
    scope's tags when it names some."""
    found: dict[str | None, list[Activity]] = {}
    tags = tags_of(session, ids=[a.id for a in activities]) if by is Dimension.TAG else {}
    for a in activities:
        if by is Dimension.TAG:
            keys: list[str | None] = [t for t in tags.get(a.id or 0, []) if not scope.tags or t in scope.tags]
        elif by is Dimension.KIND:
            keys = [a.kind]
        elif by is Dimension.PERSON:
            keys = [None if a.owner_id is None else str(a.owner_id)]
        else:
            keys = [a.purpose]
        for key in keys or [None]:
            found.setdefault(key, []).append(a)
    return found
