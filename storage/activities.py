"""Activities: the ledger of talks, events, partnerships, publications and social posts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import case, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, delete, func, select

from storage.domain import Kind, Status
from storage.ids import id_of
from storage.metrics import Figures
from storage.models import Activity, ActivityTag, utcnow
from storage.selection import (
    EVERYTHING,
    WHOLE,
    Dimension,
    Scope,
    done_in_scope,
    scope_conditions,
    segment_key,
    select_columns,
)


def title_key(title: str) -> str:
    """The same talk given again: titles compared without case, punctuation runs or extra spaces."""
    return re.sub(r"[\W_]+", " ", title.casefold()).strip()[:200]


def create_activity(
    session: Session,
    *,
    team_id: int,
    kind: Kind,
    title: str,
    on: date,
    status: Status,
    values: Mapping[str, Any],
    tags: Iterable[str],
    owner_id: int | None,
    created_by: int | None,
) -> Activity:
    activity = Activity(
        team_id=team_id,
        kind=kind.value,
        title=title,
        title_key=title_key(title),
        status=status.value,
        date=on,
        owner_id=owner_id,
        created_by=created_by,
        updated_by=created_by,
        **values,
    )
    session.add(activity)
    session.flush()
    _insert_tags(session, activity_id=activity.id, tags=tags)
    return activity


def update_activity(
    session: Session, *, activity: Activity, values: Mapping[str, Any], add_tags: Iterable[str], updated_by: int
) -> Activity:
    for name, value in values.items():
        setattr(activity, name, value)
    if "title" in values:
        activity.title_key = title_key(values["title"])
    activity.updated_at = utcnow()
    activity.updated_by = updated_by
    session.add(activity)
    session.flush()
    new_tags = set(add_tags)
    if new_tags:
        set_tags(
            session, activity_id=activity.id, tags=new_tags | set(tags_of(session, ids=[activity.id])[id_of(activity)])
        )
    return activity


def delete_activity(session: Session, *, activity: Activity) -> None:
    session.exec(delete(ActivityTag).where(col(ActivityTag.activity_id) == activity.id))
    session.delete(activity)
    session.flush()


def set_tags(session: Session, *, activity_id: int | None, tags: Iterable[str]) -> None:
    session.exec(delete(ActivityTag).where(col(ActivityTag.activity_id) == activity_id))
    _insert_tags(session, activity_id=activity_id, tags=tags)


def _insert_tags(session: Session, *, activity_id: int | None, tags: Iterable[str]) -> None:
    rows = [{"activity_id": activity_id, "tag": tag} for tag in sorted(set(tags))]
    if rows:
        session.execute(insert(ActivityTag), rows)


def get_activity(session: Session, *, activity_id: int) -> Activity | None:
    return session.get(Activity, activity_id)


def tags_of(session: Session, *, ids: Iterable[int | None]) -> dict[int, list[str]]:
    known = [i for i in ids if i is not None]
    found: dict[int, list[str]] = {i: [] for i in known}
    if known:
        rows = session.exec(
            select(ActivityTag).where(col(ActivityTag.activity_id).in_(known)).order_by(col(ActivityTag.tag))
        ).all()
        for row in rows:
            found[row.activity_id].append(row.tag)
    return found


def list_activities(
    session: Session,
    *,
    team_id: int,
    scope: Scope = EVERYTHING,
    start: date | None = None,
    end: date | None = None,
    status: Status | None = None,
    limit: int = 50,
) -> list[Activity]:
    """Newest first; ``start`` inclusive, ``end`` exclusive."""
    query = select(Activity).where(Activity.team_id == team_id, *scope_conditions(scope))
    if status is not None:
        query = query.where(Activity.status == status.value)
    if start is not None:
        query = query.where(Activity.date >= start)
    if end is not None:
        query = query.where(Activity.date < end)
    query = query.order_by(col(Activity.date).desc(), col(Activity.id).desc()).limit(limit)
    return list(session.exec(query).all())


@dataclass(frozen=True)
class TalkReuse:
    title: str
    times_given: int
    planned: int
    last_given: date | None


def talk_reuse(session: Session, *, team_id: int) -> list[TalkReuse]:
    """Each talk with how many times it was given (done) and how many more are planned."""
    done = col(Activity.status) == Status.DONE.value
    given = func.sum(case((done, 1), else_=0))
    planned = func.sum(case((col(Activity.status) == Status.PLANNED.value, 1), else_=0))
    last_given = func.max(case((done, col(Activity.date)), else_=None))
    rows = session.execute(  # five columns: more than sqlmodel's select() is typed for
        sa_select(col(Activity.title_key), func.min(col(Activity.title)), given, planned, last_given)
        .where(col(Activity.team_id) == team_id, col(Activity.kind) == Kind.TALK.value)
        .group_by(col(Activity.title_key))
    ).all()
    result = [
        TalkReuse(title=title, times_given=int(g or 0), planned=int(p or 0), last_given=_as_date(last))
        for _key, title, g, p, last in rows
    ]
    return sorted(result, key=lambda r: (-r.times_given, -r.planned, r.title.casefold()))


def _as_date(value: date | str | None) -> date | None:
    # SQLite returns MAX() over a CASE as text; PostgreSQL keeps the date type.
    return date.fromisoformat(value) if isinstance(value, str) else value


_SUMMED = (
    "audience",
    "stream_views",
    "views",
    "likes",
    "shares",
    "comments",
    "contacts",
    "target_actions",
    "subscribers",
    "participants",
)


def period_figures(
    session: Session, *, team_id: int, start: date, end: date, scope: Scope = EVERYTHING
) -> dict[Kind, Figures]:
    """Done activities of a team in the scope with ``start <= date < end``, summed per kind (one grouped query)."""
    return segment_figures(session, team_id=team_id, start=start, end=end, scope=scope).get(WHOLE, {})


def segment_figures(
    session: Session, *, team_id: int, start: date, end: date, scope: Scope = EVERYTHING, by: Dimension | None = None
) -> dict[str | None, dict[Kind, Figures]]:
    """Like :func:`period_figures`, split by ``by``: per segment key (a kind, a tag, an owner's member id as
    text, a purpose; None for activities without a tag, an owner or a purpose), the figures per kind.
    By tag, an activity counts under each of its tags — only those of the scope when it names some."""
    keys, joined = segment_key(by, scope)
    columns = [func.coalesce(func.sum(getattr(Activity, name)), 0) for name in _SUMMED]
    base = done_in_scope(team_id=team_id, start=start, end=end, scope=scope)
    rows: list[Any] = list(session.execute(
        joined(select_columns([*keys, Activity.kind, func.count(), *columns]).select_from(Activity))
        .where(*base)
        .group_by(*keys, Activity.kind)
    ).all())
    cost_rows: list[Any] = list(session.execute(
        joined(select_columns([*keys, Activity.kind, Activity.currency, func.sum(Activity.cost),
                        func.coalesce(func.sum(Activity.contacts), 0)]).select_from(Activity))
        .where(*base, col(Activity.cost).is_not(None))
        .group_by(*keys, col(Activity.kind), col(Activity.currency))
    ).all())
    if not keys:  # one segment: the whole scope
        rows = [(WHOLE, *row) for row in rows]
        cost_rows = [(WHOLE, *row) for row in cost_rows]
    costs: dict[tuple[Any, str], dict[str, Decimal]] = {}
    paid_contacts: dict[tuple[Any, str], dict[str, int]] = {}
    for segment, kind, currency, total, contacts in cost_rows:
        costs.setdefault((segment, kind), {})[currency or ""] = Decimal(total or 0)
        paid_contacts.setdefault((segment, kind), {})[currency or ""] = int(contacts or 0)
    figures: dict[str | None, dict[Kind, Figures]] = {}
    sums: list[Any]
    for segment, kind, count, *sums in rows:
        values: dict[str, Any] = {name: int(v) for name, v in zip(_SUMMED, sums, strict=True)}
        name = None if segment is None else str(segment)
        figures.setdefault(name, {})[Kind(kind)] = Figures(
            kind=Kind(kind),
            count=int(count),
            costs=costs.get((segment, kind), {}),
            paid_contacts=paid_contacts.get((segment, kind), {}),
            **values,
        )
    return figures


def figures_of(activity: Activity) -> Figures:
    values: dict[str, Any] = {name: getattr(activity, name) or 0 for name in _SUMMED}
    if activity.cost is None:
        return Figures(kind=Kind(activity.kind), count=1, **values)
    currency = activity.currency or ""
    return Figures(
        kind=Kind(activity.kind),
        count=1,
        costs={currency: activity.cost},
        paid_contacts={currency: activity.contacts or 0},
        **values,
    )
