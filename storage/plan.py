"""The media plan: planned activities with a due date, and the event checklist (fulfilment is
:mod:`storage.metrics.plan`)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

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


def mark_done(activity: Activity, *, today: date, on: date | None = None) -> None:
    """A planned item becomes done on ``on``, or today when no day is given (never later than today). Done
    after its due date, it is late."""
    activity.status = Status.DONE.value
    done = min(on or today, today)
    activity.date = done
    activity.done_on = done


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
