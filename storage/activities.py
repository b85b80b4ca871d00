"""Activities: the ledger of talks, events, partnerships, publications and social posts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, delete, func, select

from storage import history
from storage.domain import Kind, Status
from storage.ids import id_of
from storage.models import Activity, ActivityTag, utcnow
from storage.selection import (
    EVERYTHING,
    Scope,
    scope_conditions,
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
    history.record_tags(session, activity=activity, old=(), new=tags, action="create")
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
        old_tags = tags_of(session, ids=[activity.id])[id_of(activity)]
        set_tags(session, activity_id=activity.id, tags=new_tags | set(old_tags))
        history.record_tags(session, activity=activity, old=old_tags, new=new_tags | set(old_tags), action="update")
    return activity


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
