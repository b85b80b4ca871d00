"""Which activities a report covers: the scope a person's filter words name (a kind, any of some tags, the
activities of one person, a purpose) as SQL conditions, and the dimensions a breakdown splits it by.

Every query that narrows the ledger to a slice — /list, /stats, /report, the digest, goals, the funnel —
takes its conditions from :func:`scope_conditions`, so a filter means the same thing everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import col, select

from storage.domain import Kind, Status
from storage.models import Activity, ActivityTag


class Dimension(StrEnum):
    """What a breakdown puts side by side."""

    KIND = "kind"
    TAG = "tag"
    PERSON = "person"  # the activity's owner
    PURPOSE = "purpose"


@dataclass(frozen=True)
class Scope:
    """All activities, or only those of one kind, carrying any of ``tags``, owned by one of ``owner_ids``
    (the members an @name matches), of one purpose. Conditions combine with AND."""

    kind: Kind | None = None
    tags: tuple[str, ...] = ()
    owner_ids: tuple[int, ...] | None = None
    purpose: str | None = None

    @property
    def is_everything(self) -> bool:
        return self == EVERYTHING


EVERYTHING = Scope()


def has_any_tag(tags: tuple[str, ...]) -> Any:
    """The activity carries at least one of ``tags``. Its own alias of the tag table, so the EXISTS correlates
    with the activity alone even in a query that joins tags itself."""
    tag = aliased(ActivityTag)
    return (
        select(tag.activity_id)
        .where(tag.activity_id == Activity.id, col(tag.tag).in_(tags))
        .correlate(Activity)
        .exists()
    )


def scope_conditions(scope: Scope) -> list[Any]:
    """WHERE conditions on ``Activity`` for the scope (none for everything)."""
    conditions: list[Any] = []
    if scope.kind is not None:
        conditions.append(col(Activity.kind) == scope.kind.value)
    if scope.tags:
        conditions.append(has_any_tag(scope.tags))
    if scope.owner_ids is not None:
        conditions.append(col(Activity.owner_id).in_(scope.owner_ids))
    if scope.purpose is not None:
        conditions.append(col(Activity.purpose) == scope.purpose)
    return conditions


def done_in_scope(*, team_id: int, start: date, end: date, scope: Scope) -> list[Any]:
    """WHERE conditions on ``Activity``: a team's done activities in the scope with ``start <= date < end``."""
    return [
        col(Activity.team_id) == team_id,
        col(Activity.date) >= start,
        col(Activity.date) < end,
        col(Activity.status) == Status.DONE.value,
        *scope_conditions(scope),
    ]
