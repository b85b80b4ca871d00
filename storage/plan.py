"""The media plan: planned activities with a due date, their fulfilment, and the event checklist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case
from sqlmodel import Session, col, func, select

from storage.domain import Status
from storage.ids import id_of
from storage.models import CHECKLIST_ITEMS, Activity, ChecklistTick, utcnow
from storage.selection import EVERYTHING, Scope, scope_conditions


def plan_items(
    session: Session,
    *,
    team_id: int,
    start: date | None = None,
    end: date | None = None,
    scope: Scope = EVERYTHING,
    limit: int = 100,
) -> list[Activity]:
    """Open plan items (planned, with a due date) in the scope, soonest first; ``start`` inclusive, ``end``
    exclusive."""
    query = select(Activity).where(
        Activity.team_id == team_id, Activity.status == Status.PLANNED.value, col(Activity.due_date).is_not(None),
        *scope_conditions(scope),
    )
    if start is not None:
        query = query.where(col(Activity.due_date) >= start)
    if end is not None:
        query = query.where(col(Activity.due_date) < end)
    return list(session.exec(query.order_by(col(Activity.due_date), col(Activity.id)).limit(limit)).all())


@dataclass(frozen=True)
class FulfilmentCounts:
    due: int  # plan items due in the period (dropped ones left out)
    done_on_time: int  # of those, done by their due date

    @property
    def share(self) -> float | None:
        from storage.metrics import plan_fulfilment

        return plan_fulfilment(self.done_on_time, self.due)


def fulfilment(
    session: Session, *, team_id: int, start: date, end: date, scope: Scope = EVERYTHING
) -> FulfilmentCounts:
    """Plan fulfilment inputs for items in the scope due in ``start <= due_date < end`` (one query)."""
    on_time = (col(Activity.status) == Status.DONE.value) & (col(Activity.done_on) <= col(Activity.due_date))
    due, done = session.exec(
        select(func.count(), func.coalesce(func.sum(case((on_time, 1), else_=0)), 0))
        .where(
            Activity.team_id == team_id,
            col(Activity.due_date) >= start,
            col(Activity.due_date) < end,
            Activity.status != Status.CANCELLED.value,
            *scope_conditions(scope),
        )
    ).one()
    return FulfilmentCounts(due=int(due), done_on_time=int(done))


def mark_done(activity: Activity, *, today: date) -> None:
    """A planned item becomes done: it happened on its date, or today if that date is still ahead."""
    activity.status = Status.DONE.value
    if activity.date > today:
        activity.date = today
    activity.done_on = activity.date


def ticked_items(session: Session, *, activity_id: int | None) -> set[str]:
    return set(session.exec(select(ChecklistTick.item).where(ChecklistTick.activity_id == activity_id)).all())


def open_items(session: Session, *, activity_id: int | None) -> list[str]:
    ticked = ticked_items(session, activity_id=activity_id)
    return [item for item in CHECKLIST_ITEMS if item not in ticked]


def set_tick(session: Session, *, activity: Activity, item: str, ticked: bool, member_id: int | None) -> None:
    existing = session.get(ChecklistTick, (activity.id, item))
    if ticked and existing is None:
        session.add(ChecklistTick(activity_id=id_of(activity), item=item, ticked_by=member_id, ticked_at=utcnow()))
    elif not ticked and existing is not None:
        session.delete(existing)
    session.flush()
