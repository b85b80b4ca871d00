"""Reach and engagement of one activity. Missing numbers count as zero."""

from __future__ import annotations

from typing import Protocol

from storage.domain import Kind

IN_PERSON_KINDS = frozenset({Kind.TALK, Kind.EVENT, Kind.PARTNERSHIP})


class Counted(Protocol):
    """What the definitions read of an activity (a stored Activity, or a test's stand-in)."""

    kind: str
    audience: int | None
    stream_views: int | None
    participants: int | None
    views: int | None
    likes: int | None
    shares: int | None
    comments: int | None


def reach(a: Counted) -> int:
    """audience + stream views (talks, events, partnerships), or views (publications, social). A partnership
    without an audience reaches its participants: a booth or a contest counts the people who took part."""
    if Kind(a.kind) not in IN_PERSON_KINDS:
        return a.views or 0
    audience = a.audience
    if audience is None and Kind(a.kind) == Kind.PARTNERSHIP:
        audience = a.participants
    return (audience or 0) + (a.stream_views or 0)


def engagement(a: Counted) -> int:
    """likes + shares + comments."""
    return (a.likes or 0) + (a.shares or 0) + (a.comments or 0)
