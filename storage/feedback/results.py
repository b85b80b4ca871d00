"""What the votes add up to: rating and NPS over a period (the stats and the weekly digest) or over one
activity's cards and polls (``/show``), across chats and platforms."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, case, col, func, select

from storage.feedback.cards import Mode
from storage.feedback.scales import Scale
from storage.metrics import NpsResult, mean_rating_of_totals, nps_of_counts
from storage.models import Activity, FeedbackCard, Vote, VoteTally
from storage.selection import WHOLE, Dimension, Scope, done_in_scope, segment_key, select_columns


@dataclass(frozen=True)
class FeedbackSummary:
    """Rating and NPS over a set of answers; None (shown as "no answers yet") when there are none."""

    rating: float | None
    rating_count: int
    nps: NpsResult | None


NO_FEEDBACK = FeedbackSummary(rating=None, rating_count=0, nps=None)


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


def feedback_summary(session: Session, *, team_id: int, start: datetime, end: datetime) -> FeedbackSummary:
    """Rating and NPS of every answer the team got with ``start <= cast time < end``, across its activities,
    chats and platforms: two aggregate queries, each a range scan on a covering index."""
    vote_rows = session.exec(
        select(Vote.scale, *_summary_columns(1, Vote.score))
        # Naming both scales lets PostgreSQL range-scan the (team, scale, cast time) index per scale instead
        # of reading the whole table; SQLite already skips through it.
        .where(Vote.team_id == team_id, col(Vote.scale).in_([s.value for s in Scale]), Vote.cast_at >= start,
               Vote.cast_at < end)
        .group_by(Vote.scale)
    ).all()
    tally_rows = session.exec(
        select(VoteTally.scale, *_summary_columns(VoteTally.count, VoteTally.score))
        .where(VoteTally.team_id == team_id, col(VoteTally.scale).in_([s.value for s in Scale]),
               VoteTally.updated_at >= start, VoteTally.updated_at < end)
        .group_by(VoteTally.scale)
    ).all()
    return _summarise([*vote_rows, *tally_rows])


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


def feedback_of_activities(session: Session, *, activity_ids: Sequence[int | None]) -> FeedbackSummary:
    """Rating and NPS of every answer on the cards and polls of these activities (a goal's or a slice's)."""
    ids = [i for i in activity_ids if i is not None]
    if not ids:
        return _summarise([])
    card_ids = select(FeedbackCard.id).where(col(FeedbackCard.activity_id).in_(ids))
    vote_rows = session.exec(
        select(Vote.scale, *_summary_columns(1, Vote.score)).where(col(Vote.card_id).in_(card_ids))
        .group_by(col(Vote.scale))
    ).all()
    tally_rows = session.exec(
        select(VoteTally.scale, *_summary_columns(VoteTally.count, VoteTally.score))
        .where(col(VoteTally.card_id).in_(card_ids)).group_by(col(VoteTally.scale))
    ).all()
    return _summarise([*vote_rows, *tally_rows])


def feedback_by_segment(
    session: Session, *, team_id: int, start: date, end: date, scope: Scope, by: Dimension | None = None
) -> dict[str | None, FeedbackSummary]:
    """Rating and NPS of the answers on the cards and polls of a team's done activities in the scope with
    ``start <= date < end``, split like :func:`storage.activities.segment_figures` (one segment, keyed ``WHOLE``,
    without ``by``)."""
    keys, joined = segment_key(by, scope)
    conditions = done_in_scope(team_id=team_id, start=start, end=end, scope=scope)
    rows: dict[str | None, list[tuple[Any, ...]]] = {}
    for table, weight in ((Vote, 1), (VoteTally, VoteTally.count)):
        query = joined(
            select_columns([*keys, table.scale, *_summary_columns(weight, table.score)])
            .select_from(table)
            .join(FeedbackCard, col(FeedbackCard.id) == table.card_id)
            .join(Activity, col(Activity.id) == FeedbackCard.activity_id)
        )
        for row in session.execute(query.where(*conditions).group_by(*keys, table.scale)).all():
            key = (None if row[0] is None else str(row[0])) if keys else WHOLE
            rows.setdefault(key, []).append(tuple(row[len(keys):]))
    return {key: _summarise(found) for key, found in rows.items()}
