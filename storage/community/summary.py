"""A period's community figures against the previous period, and one member's profile.

A team's community is small next to its ledger (hundreds or thousands of people), so the figures are computed in
Python from the team's interactions up to the period's end — one indexed range read — with the scoring
functions of :mod:`storage.community.orbit`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, and_, case, col, func, select

from storage.community.members import InteractionKind
from storage.community.orbit import DEFAULT_ORBIT, Orbit, level_of, score
from storage.models import CommunityMember, Interaction, saved_id

History = dict[int, list[tuple[InteractionKind, datetime]]]
OUTSIDE = 5  # the rank of "no level" when comparing levels: below level 4


@dataclass(frozen=True)
class Figures:
    """One period's figures. ``members``: known at the period's end; ``active``: with an interaction in it;
    ``new``: first seen in it; ``returning``: active, seen before, and not active in the period before."""

    members: int
    active: int
    new: int
    returning: int
    by_level: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Ranked:
    member_id: int
    name: str
    score: float
    level: int | None
    previous_level: int | None = None


@dataclass(frozen=True)
class CommunitySummary:
    current: Figures
    previous: Figures
    top: list[Ranked]
    movers_up: list[Ranked]
    movers_down: list[Ranked]


def _history(session: Session, *, team_id: int, until: datetime, same: dict[int, int]) -> History:
    """Each member's interactions before ``until``; ``same`` maps a merged identity to the member it is."""
    rows = session.exec(
        select(Interaction.member_id, Interaction.kind, Interaction.at)
        .where(Interaction.team_id == team_id, col(Interaction.at) < until)
    ).all()
    history: History = defaultdict(list)
    for member_id, kind, at in rows:
        history[same.get(member_id, member_id)].append((InteractionKind(kind), at))
    return history


def person_of(member: CommunityMember) -> int:
    """The member a row counts as: itself, or the one it was merged into (/member merge)."""
    return member.merged_into or saved_id(member.id)


def _active(history: History, start: datetime, end: datetime) -> set[int]:
    return {m for m, items in history.items() if any(start <= at < end for _kind, at in items)}


def _levels(history: History, moment: datetime, orbit: Orbit) -> dict[int, tuple[float, int | None]]:
    result = {}
    for member_id, items in history.items():
        value = score(items, moment, orbit)
        result[member_id] = (value, level_of(value, orbit))
    return result


def _figures(members: list[CommunityMember], history: History, start: datetime, end: datetime,
             before: datetime, moment: datetime, orbit: Orbit) -> Figures:
    known = [m for m in members if m.first_seen < end]
    active = _active(history, start, end)
    active_before = _active(history, before, start)
    new = {m.id for m in known if m.first_seen >= start}
    returning = {m.id for m in known if m.id in active and m.id not in new and m.id not in active_before}
    levels = Counter(level for _v, level in _levels(history, moment, orbit).values() if level is not None)
    return Figures(members=len(known), active=len(active & {m.id for m in known}), new=len(new),
                   returning=len(returning), by_level=dict(sorted(levels.items())))


def community_summary(
    session: Session, *, team_id: int, start: datetime, end: datetime, previous_start: datetime, now: datetime,
    orbit: Orbit = DEFAULT_ORBIT,
) -> CommunitySummary:
    """The period ``[start, end)`` against ``[previous_start, start)``; levels are taken at the period's end, or
    ``now`` while it runs."""
    moment = min(end, now)
    rows = list(session.exec(select(CommunityMember).where(CommunityMember.team_id == team_id)))
    members = [m for m in rows if m.merged_into is None]  # a merged identity is its member, not another one
    names = {m.id: m.display_name for m in members}
    history = _history(session, team_id=team_id, until=end, same={saved_id(m.id): person_of(m) for m in rows})
    before_previous = previous_start - (start - previous_start)
    current = _figures(members, history, start, end, previous_start, moment, orbit)
    previous = _figures(members, history, previous_start, start, before_previous, start, orbit)
    now_levels, then_levels = _levels(history, moment, orbit), _levels(history, start, orbit)
    ranked = [
        Ranked(member_id=m, name=names.get(m, "?"), score=value, level=level,
               previous_level=then_levels.get(m, (0.0, None))[1])
        for m, (value, level) in now_levels.items() if value > 0
    ]
    ranked.sort(key=lambda r: (-r.score, r.name.lower()))

    def rank(level: int | None) -> int:
        return OUTSIDE if level is None else level

    movers = [r for r in [*ranked, *(
        Ranked(member_id=m, name=names.get(m, "?"), score=0.0, level=None, previous_level=level)
        for m, (_value, level) in then_levels.items() if m not in now_levels or now_levels[m][0] <= 0
    )] if rank(r.level) != rank(r.previous_level)]
    return CommunitySummary(
        current=current,
        previous=previous,
        top=ranked[:10],
        movers_up=[r for r in movers if rank(r.level) < rank(r.previous_level)],
        movers_down=[r for r in movers if rank(r.level) > rank(r.previous_level)],
    )


@dataclass(frozen=True)
class Profile:
    member: CommunityMember
    score: float
    level: int | None
    level_a_month_ago: int | None
    counts: dict[InteractionKind, int]
    platforms: tuple[str, ...]


def member_profile(session: Session, *, member: CommunityMember, now: datetime,
                   orbit: Orbit = DEFAULT_ORBIT) -> Profile:
    """Level now and 30 days ago (the trend), and what the member did, by kind, over all time."""
    identities = [member, *session.exec(select(CommunityMember).where(CommunityMember.merged_into == member.id))]
    rows = session.exec(
        select(Interaction.kind, Interaction.at).where(col(Interaction.member_id).in_([m.id for m in identities]))
    ).all()
    items = [(InteractionKind(kind), at) for kind, at in rows]
    value = score([i for i in items if i[1] <= now], now, orbit)
    month_ago = now - timedelta(days=30)
    platforms = tuple(dict.fromkeys(m.platform for m in identities))  # with the identities merged into it
    return Profile(
        member=member,
        score=value,
        level=level_of(value, orbit),
        level_a_month_ago=level_of(score([i for i in items if i[1] <= month_ago], month_ago, orbit), orbit),
        counts=dict(Counter(kind for kind, _at in items)),
        platforms=platforms,
    )


def find_community_members(session: Session, *, team_id: int, who: str) -> list[CommunityMember]:
    """``@name`` or a name, a platform user id, or the member's number ``#7``."""
    text = who.strip()
    query = select(CommunityMember).where(CommunityMember.team_id == team_id)
    if text.startswith("#") and text[1:].isdigit():
        one = session.get(CommunityMember, int(text[1:]))
        if one is not None and one.merged_into is not None:
            one = session.get(CommunityMember, one.merged_into)
        return [one] if one is not None and one.team_id == team_id else []
    name = text.removeprefix("@")
    by_name = list(session.exec(query.where(func.lower(CommunityMember.display_name) == name.lower())))
    found = by_name or list(session.exec(query.where(CommunityMember.user_id == name)))
    people = {person_of(m) for m in found}  # a merged identity names its member
    return [m for m in (session.get(CommunityMember, p) for p in sorted(people)) if m is not None]


def buckets_activity(
    session: Session, *, team_id: int, buckets: Sequence[tuple[datetime, datetime]]
) -> list[tuple[int, int]]:
    """(active, new) in each of a chart's buckets (``[start, end)`` spans, not overlapping): members with an
    interaction in it, and members first seen in it — counted per bucket in SQL, two queries on indexed ranges
    however many buckets."""
    if not buckets:
        return []
    person = func.coalesce(col(CommunityMember.merged_into), col(CommunityMember.id))

    def bucket_of(moment: Any) -> Any:
        """The bucket's index, NULL between buckets."""
        return case(*((and_(moment >= start, moment < end), i) for i, (start, end) in enumerate(buckets)),
                    else_=None)

    first, last = min(start for start, _end in buckets), max(end for _start, end in buckets)
    # Grouped by the label: PostgreSQL would not see two renderings of the CASE, each with its own parameters,
    # as the same expression.
    active_bucket = bucket_of(col(Interaction.at)).label("bucket")
    active = session.exec(
        select(active_bucket, func.count(func.distinct(person))).select_from(Interaction)
        .join(CommunityMember, col(CommunityMember.id) == col(Interaction.member_id))
        .where(Interaction.team_id == team_id, col(Interaction.at) >= first,
               col(Interaction.at) < last)
        .group_by(active_bucket)
    ).all()
    new_bucket = bucket_of(col(CommunityMember.first_seen)).label("bucket")
    new = session.exec(
        select(new_bucket, func.count()).select_from(CommunityMember)
        .where(CommunityMember.team_id == team_id, col(CommunityMember.merged_into).is_(None),
               col(CommunityMember.first_seen) >= first, col(CommunityMember.first_seen) < last)
        .group_by(new_bucket)
    ).all()
    active_in = {int(b): int(n) for b, n in active if b is not None}
    new_in = {int(b): int(n) for b, n in new if b is not None}
    return [(active_in.get(i, 0), new_in.get(i, 0)) for i in range(len(buckets))]
