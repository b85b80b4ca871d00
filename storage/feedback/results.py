"""What the votes add up to: rating and NPS of a set of activities (a period's, a goal's, a slice's), of one
activity with its distribution (``/show``), and the votes that arrived late for older activities — across chats
and platforms. Votes belong to their activity: a period's rating is that of the activities held in it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import union_all
from sqlmodel import Session, case, col, func, null, select
from sqlmodel.sql.expression import SelectOfScalar

from storage.feedback.cards import Mode
from storage.feedback.scales import Scale
from storage.metrics.scores import NpsResult, mean_rating_of_totals, nps_of_counts
from storage.models import Activity, FeedbackCard, Vote, VoteTally


@dataclass(frozen=True)
class FeedbackSummary:
    """Rating and NPS over a set of answers; None (shown as "no answers yet") when there are none."""

    rating: float | None
    rating_count: int
    nps: NpsResult | None


@dataclass(frozen=True)
class ActivityFeedback(FeedbackSummary):
    distribution: dict[int, int] = field(default_factory=dict)  # rating score → answers
    nps_distribution: dict[int, int] = field(default_factory=dict)  # NPS score → answers
    cards: int = 0
    open_polls: int = 0


def _summary_columns(weight: Any, score: Any) -> list[Any]:
    """Per scale: answers, sum of scores, promoters, passives, detractors (``weight`` = 1 or a tally's count)."""
    return [
        func.coalesce(func.sum(weight), 0),
        func.coalesce(func.sum(weight * score), 0),
        func.coalesce(func.sum(case((score >= 9, weight), else_=0)), 0),
        func.coalesce(func.sum(case(((score >= 7) & (score <= 8), weight), else_=0)), 0),
        func.coalesce(func.sum(case((score <= 6, weight), else_=0)), 0),
    ]


_SUMMARY_NAMES = ("answers", "total", "promoters", "passives", "detractors")


def _labelled(columns: list[Any]) -> list[Any]:
    """:func:`_summary_columns` named, so a query can add them up again."""
    return [column.label(name) for column, name in zip(columns, _SUMMARY_NAMES, strict=True)]


def _summarise(rows: list[tuple[Any, ...]]) -> FeedbackSummary:
    totals = {Scale.RATING.value: [0, 0, 0, 0, 0], Scale.NPS.value: [0, 0, 0, 0, 0]}
    for scale, *values in rows:
        for i, value in enumerate(values):
            totals[scale][i] += int(value or 0)
    count, total = totals[Scale.RATING.value][:2]
    _n, _s, promoters, passives, detractors = totals[Scale.NPS.value]
    return FeedbackSummary(
        rating=mean_rating_of_totals(total, count),
        rating_count=count,
        nps=nps_of_counts(promoters, passives, detractors),
    )


def activity_feedback(session: Session, *, activity_id: int) -> ActivityFeedback:
    """Everything an activity's cards and polls collected, on every platform: rating, NPS, distributions."""
    card_ids = select(FeedbackCard.id).where(FeedbackCard.activity_id == activity_id)
    counts: dict[tuple[str, int], int] = {}
    vote_rows = session.exec(
        select(Vote.scale, Vote.score, func.count()).where(col(Vote.card_id).in_(card_ids))
        .group_by(col(Vote.scale), col(Vote.score))
    ).all()
    tally_rows = session.exec(
        select(VoteTally.scale, VoteTally.score, func.sum(VoteTally.count)).where(col(VoteTally.card_id).in_(card_ids))
        .group_by(col(VoteTally.scale), col(VoteTally.score))
    ).all()
    for scale, score, n in [*vote_rows, *tally_rows]:
        counts[(scale, int(score))] = counts.get((scale, int(score)), 0) + int(n or 0)
    rating = {s: n for (scale, s), n in counts.items() if scale == Scale.RATING.value and n}
    nps_counts = {s: n for (scale, s), n in counts.items() if scale == Scale.NPS.value and n}
    cards = session.exec(
        select(func.count(), func.coalesce(func.sum(case(
            ((col(FeedbackCard.mode) == Mode.POLL.value) & col(FeedbackCard.closed_at).is_(None), 1), else_=0)), 0))
        .where(FeedbackCard.activity_id == activity_id, col(FeedbackCard.message_id).is_not(None))
    ).one()
    return ActivityFeedback(
        rating=mean_rating_of_totals(sum(s * n for s, n in rating.items()), sum(rating.values())),
        rating_count=sum(rating.values()),
        nps=nps_of_counts(
            sum(n for s, n in nps_counts.items() if s >= 9),
            sum(n for s, n in nps_counts.items() if 7 <= s <= 8),
            sum(n for s, n in nps_counts.items() if s <= 6),
        ),
        distribution=dict(sorted(rating.items(), reverse=True)),
        nps_distribution=dict(sorted(nps_counts.items(), reverse=True)),
        cards=int(cards[0]),
        open_polls=int(cards[1]),
    )


# Ids per statement: a quarter of a big team stays far below the drivers' bound-parameter limits.
ID_CHUNK = 5_000


def feedback_of_activities(session: Session, *, activity_ids: Sequence[int | None]) -> FeedbackSummary:
    """Rating and NPS of every answer on the cards and polls of these activities (a period's, a goal's or a
    slice's): votes belong to their activity, whenever they were cast."""
    ids = [i for i in activity_ids if i is not None]
    rows: list[tuple[Any, ...]] = []
    for first in range(0, len(ids), ID_CHUNK):
        card_ids = select(FeedbackCard.id).where(col(FeedbackCard.activity_id).in_(ids[first:first + ID_CHUNK]))
        rows += session.exec(
            select(Vote.scale, *_summary_columns(1, Vote.score)).where(col(Vote.card_id).in_(card_ids))
            .group_by(col(Vote.scale))
        ).all()
        rows += session.exec(
            select(VoteTally.scale, *_summary_columns(VoteTally.count, VoteTally.score))
            .where(col(VoteTally.card_id).in_(card_ids)).group_by(col(VoteTally.scale))
        ).all()
    return _summarise(rows)


# Per activity: (scale, answers, sum of scores, promoters, passives, detractors) for its votes and its tallies.
VoteRows = list[tuple[Any, ...]]


def votes_by_activity(session: Session, *, activity_ids: SelectOfScalar[Any]) -> dict[int, VoteRows]:
    """What :func:`feedback_of_activities` adds up, per activity, for the activities ``activity_ids`` selects
    (a chart's whole span, read once): :func:`summary_of` the rows of a period's activities is that period's
    rating and NPS. Two queries, however many periods the span has."""
    found: dict[int, VoteRows] = {}
    on_cards = col(FeedbackCard.activity_id).in_(activity_ids)
    for rows in (
        session.exec(
            select(FeedbackCard.activity_id, Vote.scale, *_summary_columns(1, Vote.score))
            .join(FeedbackCard, col(FeedbackCard.id) == col(Vote.card_id)).where(on_cards)
            .group_by(col(FeedbackCard.activity_id), col(Vote.scale))
        ).all(),
        session.exec(
            select(FeedbackCard.activity_id, VoteTally.scale, *_summary_columns(VoteTally.count, VoteTally.score))
            .join(FeedbackCard, col(FeedbackCard.id) == col(VoteTally.card_id)).where(on_cards)
            .group_by(col(FeedbackCard.activity_id), col(VoteTally.scale))
        ).all(),
    ):
        for activity_id, *values in rows:
            found.setdefault(int(activity_id), []).append(tuple(values))
    return found


def summary_of(rows: VoteRows) -> FeedbackSummary:
    """Rating and NPS of the rows of :func:`votes_by_activity` (any activities' together)."""
    return _summarise(rows)


@dataclass(frozen=True)
class LateFeedback:
    """Votes that arrived in a span for an activity held before it."""

    activity: Activity
    summary: FeedbackSummary


@dataclass(frozen=True)
class LateArrivals:
    """The votes that arrived in a span for activities held before it: the activities that got the most, and
    how many got some with all their votes together."""

    top: list[LateFeedback]
    activities: int
    summary: FeedbackSummary


def late_feedback(session: Session, *, team_id: int, since: datetime, until: datetime, held_before: date,
                  top: int = 5) -> LateArrivals:
    """Votes cast with ``since <= time < until`` on activities held before ``held_before`` (an anonymous tally
    counts when it last changed in that span): the ``top`` activities by answers, most first. Two queries
    however many activities got votes; only a handful of rows reach Python."""
    scales = [scale.value for scale in Scale]
    # Per card first (a range scan of the team's votes in the span, grouped before any join), then which of
    # those cards are on older activities: joining every vote to its activity would cost far more on a big
    # team. The database only adds the per-card counts up per activity; what they mean stays in _summarise.
    per_card = union_all(
        select(col(Vote.card_id).label("card_id"), col(Vote.scale).label("scale"),
               *_labelled(_summary_columns(1, Vote.score)))
        .where(Vote.team_id == team_id, col(Vote.scale).in_(scales), Vote.cast_at >= since, Vote.cast_at < until)
        .group_by(col(Vote.card_id), col(Vote.scale)),
        select(col(VoteTally.card_id).label("card_id"), col(VoteTally.scale).label("scale"),
               *_labelled(_summary_columns(VoteTally.count, VoteTally.score)))
        .where(VoteTally.team_id == team_id, col(VoteTally.scale).in_(scales), VoteTally.updated_at >= since,
               VoteTally.updated_at < until)
        .group_by(col(VoteTally.card_id), col(VoteTally.scale)),
    ).subquery("late_per_card")
    late = (
        select(col(FeedbackCard.activity_id).label("activity_id"), per_card.c.scale,
               *[func.sum(per_card.c[name]).label(name) for name in _SUMMARY_NAMES])
        .join(FeedbackCard, col(FeedbackCard.id) == per_card.c.card_id)
        .join(Activity, col(Activity.id) == col(FeedbackCard.activity_id))
        .where(Activity.date < held_before)
        .group_by(col(FeedbackCard.activity_id), per_card.c.scale)
    ).cte("late_per_activity")
    answered = (  # activities with answers (an emptied tally is none)
        select(late.c.activity_id, func.sum(late.c.answers).label("answers"))
        .group_by(late.c.activity_id).having(func.sum(late.c.answers) > 0)
    ).cte("late_answered")
    best = select(answered.c.activity_id).order_by(answered.c.answers.desc(), answered.c.activity_id).limit(top)
    counted = select(func.count()).select_from(answered).scalar_subquery()
    # One statement, so the database reads the week's votes once: the rows of the ``top`` activities, and every
    # answer together per scale (no activity id) with how many activities got some.
    found = session.exec(union_all(
        select(late.c.activity_id, late.c.scale, counted, *[late.c[name] for name in _SUMMARY_NAMES])
        .where(late.c.activity_id.in_(best.scalar_subquery())),
        select(null(), late.c.scale, counted, *[func.sum(late.c[name]) for name in _SUMMARY_NAMES])
        .group_by(late.c.scale),
    )).all()  # type: ignore[call-overload]  # sqlmodel's exec has no overload for a UNION; it runs one
    activities = int(found[0][2]) if found else 0
    if not activities:
        return LateArrivals(top=[], activities=0, summary=_summarise([]))
    rows: dict[int, list[tuple[Any, ...]]] = {}
    for activity_id, scale, _n, *values in found:
        if activity_id is not None:
            rows.setdefault(int(activity_id), []).append((scale, *values))
    loaded = {a.id: a for a in session.exec(select(Activity).where(col(Activity.id).in_(list(rows)))).all()}
    answers = {key: sum(int(r[1] or 0) for r in mine) for key, mine in rows.items()}
    ranked = sorted(rows, key=lambda key: (-answers[key], key))
    return LateArrivals(
        top=[LateFeedback(activity=loaded[key], summary=_summarise(rows[key])) for key in ranked],
        activities=activities,
        summary=_summarise([(scale, *values) for activity_id, scale, _n, *values in found if activity_id is None]),
    )
