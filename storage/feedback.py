"""Community feedback: cards, votes, anonymous tallies, the team's emoji map, the new-hire survey, and the
period figures (rating, NPS, hiring influence) the stats and the weekly digest show.

One voter, one vote per card is the ``uq_vote_card_voter`` constraint; a vote is written with an upsert
(``INSERT … ON CONFLICT DO UPDATE`` on SQLite and PostgreSQL alike), so concurrent reactions never count
twice and never fail on each other. A vote is attributed to the time it was cast (or last changed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy import bindparam, case, delete, update
from sqlmodel import Session, col, func, select

from storage.emoji import normalize_emoji
from storage.metrics import NpsResult, mean_rating_of_totals, nps_of_counts
from storage.models import FeedbackCard, HireSurvey, Team, Vote, VoteTally

DEFAULT_EMOJI_MAP: dict[str, int] = {"🔥": 5, "👍": 4, "😐": 3, "👎": 1}
RATING_SCORES = range(1, 6)
NPS_SCORES = range(0, 11)


class Scale(StrEnum):
    RATING = "rating"  # 1-5
    NPS = "nps"  # 0-10


class Mode(StrEnum):
    EMOJI = "emoji"
    POLL = "poll"


class HireAnswer(StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"


def scores_of(scale: Scale) -> range:
    return RATING_SCORES if scale is Scale.RATING else NPS_SCORES


# --- the emoji map ------------------------------------------------------------------------------------


def format_emoji_map(mapping: Mapping[str, int]) -> str:
    """``{"🔥": 5, "👍": 4}`` → ``🔥=5 👍=4`` (highest score first): how it is stored and shown."""
    return " ".join(f"{e}={s}" for e, s in sorted(mapping.items(), key=lambda item: -item[1]))


def emoji_map_of(team: Team) -> dict[str, int]:
    """The team's emoji → score map (the default until an admin changes it)."""
    return dict(_parsed_emoji_map(team.feedback_emoji))


@lru_cache(maxsize=256)
def _parsed_emoji_map(stored: str | None) -> tuple[tuple[str, int], ...]:
    """``team.feedback_emoji`` parsed: every reaction needs it, and teams change it rarely (bounded cache)."""
    if not stored:
        return tuple(DEFAULT_EMOJI_MAP.items())
    mapping: dict[str, int] = {}
    for pair in stored.split():
        emoji, _sep, score = pair.rpartition("=")
        mapping[normalize_emoji(emoji)] = int(score)
    return tuple(mapping.items())


def set_emoji_map(session: Session, *, team: Team, mapping: Mapping[str, int]) -> None:
    team.feedback_emoji = None if dict(mapping) == DEFAULT_EMOJI_MAP else format_emoji_map(mapping)
    session.add(team)
    session.flush()


# --- cards --------------------------------------------------------------------------------------------


def create_card(
    session: Session,
    *,
    team_id: int,
    activity_id: int,
    mode: Mode,
    scale: Scale,
    platform: str,
    chat_id: str,
    created_by: int | None,
    now: datetime,
    anonymous: bool = False,
) -> FeedbackCard:
    """A card about to be sent; the door reports its message id (:func:`card_posted`) once it is out."""
    card = FeedbackCard(
        team_id=team_id,
        activity_id=activity_id,
        mode=mode.value,
        scale=scale.value,
        anonymous=anonymous,
        platform=platform,
        chat_id=chat_id,
        created_by=created_by,
        created_at=now,
    )
    session.add(card)
    session.flush()
    return card


def card_posted(
    session: Session, *, card_id: int, platform: str, chat_id: str, message_id: str, poll_id: str | None
) -> FeedbackCard | None:
    card = session.get(FeedbackCard, card_id)
    if card is None:
        return None
    card.platform, card.chat_id, card.message_id, card.poll_id = platform, chat_id, message_id, poll_id
    session.add(card)
    session.flush()
    return card


def card_for_message(session: Session, *, platform: str, chat_id: str, message_id: str) -> FeedbackCard | None:
    return session.exec(
        select(FeedbackCard).where(
            FeedbackCard.platform == platform, FeedbackCard.chat_id == chat_id, FeedbackCard.message_id == message_id
        )
    ).first()


@dataclass(frozen=True)
class ReactionTarget:
    """What a reaction needs to know about the card it is on, read in one query (reactions come in bulk)."""

    id: int
    team_id: int
    mode: str
    scale: str
    closed_at: datetime | None
    feedback_emoji: str | None  # the team's, as stored

    @property
    def emoji_map(self) -> dict[str, int]:
        return dict(_parsed_emoji_map(self.feedback_emoji))


_REACTION_TARGET = (
    select(FeedbackCard.id, FeedbackCard.team_id, FeedbackCard.mode, FeedbackCard.scale, FeedbackCard.closed_at,
           Team.feedback_emoji)
    .join(Team, col(Team.id) == col(FeedbackCard.team_id))
    .where(
        col(FeedbackCard.platform) == bindparam("platform"),
        col(FeedbackCard.chat_id) == bindparam("chat_id"),
        col(FeedbackCard.message_id) == bindparam("message_id"),
    )
)


def reaction_target(session: Session, *, platform: str, chat_id: str, message_id: str) -> ReactionTarget | None:
    """:func:`card_for_message` for the reaction path: the card's few fields and its team's emoji map, in one
    indexed query (``uq_feedback_card_message``) without loading ORM objects."""
    params = {"platform": platform, "chat_id": chat_id, "message_id": message_id}
    row = session.execute(_REACTION_TARGET, params).first()
    return ReactionTarget(*row) if row is not None else None


def card_for_poll(session: Session, *, poll_id: str) -> FeedbackCard | None:
    """The card of a native poll (only Telegram has them; its poll ids are unique)."""
    return session.exec(select(FeedbackCard).where(FeedbackCard.poll_id == poll_id)).first()


def get_card(session: Session, *, card_id: int) -> FeedbackCard | None:
    return session.get(FeedbackCard, card_id)


def open_polls(session: Session, *, activity_id: int) -> list[FeedbackCard]:
    """The activity's polls that were sent and are not closed yet, oldest first."""
    return list(
        session.exec(
            select(FeedbackCard)
            .where(
                FeedbackCard.activity_id == activity_id,
                FeedbackCard.mode == Mode.POLL.value,
                col(FeedbackCard.closed_at).is_(None),
                col(FeedbackCard.message_id).is_not(None),
            )
            .order_by(FeedbackCard.id)
        )
    )


def close_card(session: Session, *, card: FeedbackCard, now: datetime) -> None:
    """From now on the card's result is frozen: votes on it are refused."""
    session.exec(  # type: ignore[call-overload]
        update(FeedbackCard)
        .where(col(FeedbackCard.id) == card.id, col(FeedbackCard.closed_at).is_(None))
        .values(closed_at=now)
    )
    card.closed_at = card.closed_at or now


# --- votes --------------------------------------------------------------------------------------------


def voter_key(*, platform: str, user_id: str) -> str:
    return f"{platform}:{user_id}"[:96]


def _insert(session: Session, model: type) -> Any:
    """The dialect's INSERT, which offers ON CONFLICT (both SQLite and PostgreSQL have it)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


class VotedCard(Protocol):
    """A FeedbackCard, or the :class:`ReactionTarget` a reaction reads: what a vote needs of its card."""

    @property
    def id(self) -> int | None: ...
    @property
    def team_id(self) -> int: ...
    @property
    def scale(self) -> str: ...


# Core statements on the table (an ORM entity with bound parameters would take the slower ORM bulk path).
_VOTE: Any = Vote.__table__  # type: ignore[attr-defined]
_VOTE_COLUMNS = ("card_id", "team_id", "scale", "voter", "score", "emoji", "cast_at")
_UPSERTS: dict[str, Any] = {}


def _upsert_vote(session: Session) -> Any:
    """``INSERT … ON CONFLICT (card_id, voter) DO UPDATE`` with bound parameters, built once per dialect (a
    statement built per vote costs more than running it)."""
    dialect = session.get_bind().dialect.name
    statement = _UPSERTS.get(dialect)
    if statement is None:
        insert = _insert(session, _VOTE).values({name: bindparam(name) for name in _VOTE_COLUMNS})
        excluded = insert.excluded
        statement = _UPSERTS[dialect] = insert.on_conflict_do_update(
            index_elements=["card_id", "voter"],
            set_={"score": excluded.score, "emoji": excluded.emoji, "cast_at": excluded.cast_at},
        )
    return statement


_WITHDRAW = delete(_VOTE).where(_VOTE.c.card_id == bindparam("card_id"), _VOTE.c.voter == bindparam("voter"))
_WITHDRAW_EMOJI = _WITHDRAW.where(_VOTE.c.emoji == bindparam("emoji"))


def cast_vote(
    session: Session, *, card: VotedCard, voter: str, score: int, now: datetime, emoji: str | None = None
) -> None:
    """The voter's vote on the card is now ``score``: inserted, or replacing their earlier one (atomically)."""
    if score not in scores_of(Scale(card.scale)):
        raise ValueError(f"score {score} is outside the {card.scale} scale")
    params = {"card_id": card.id, "team_id": card.team_id, "scale": card.scale, "voter": voter, "score": score,
              "emoji": emoji, "cast_at": now}
    session.execute(_upsert_vote(session), params)


def withdraw_vote(session: Session, *, card: VotedCard, voter: str, emoji: str | None = None) -> bool:
    """Delete the voter's vote; with ``emoji``, only when that is the reaction the vote came from (a reaction
    that was already replaced by another one withdraws nothing). True when a vote was deleted."""
    if emoji is None:
        result = session.execute(_WITHDRAW, {"card_id": card.id, "voter": voter})
    else:
        result = session.execute(_WITHDRAW_EMOJI, {"card_id": card.id, "voter": voter, "emoji": emoji})
    return bool(result.rowcount)  # type: ignore[attr-defined]


def replace_tallies(
    session: Session, *, card: FeedbackCard, tallies: Mapping[str, tuple[int, int]], now: datetime
) -> None:
    """Anonymous totals: ``{option: (score, count)}`` replaces whatever the card had (newest count wins)."""
    session.execute(delete(VoteTally).where(col(VoteTally.card_id) == card.id))
    for option, (score, count) in tallies.items():
        if count > 0:
            session.add(
                VoteTally(card_id=card.id, option=option[:64], team_id=card.team_id, scale=card.scale, score=score,
                          count=count, updated_at=now)
            )
    session.flush()


# --- results ------------------------------------------------------------------------------------------


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
        .group_by(Vote.scale, Vote.score)
    ).all()
    tally_rows = session.exec(
        select(VoteTally.scale, VoteTally.score, func.sum(VoteTally.count)).where(col(VoteTally.card_id).in_(card_ids))
        .group_by(VoteTally.scale, VoteTally.score)
    ).all()
    for scale, score, n in [*vote_rows, *tally_rows]:
        counts[(scale, int(score))] = counts.get((scale, int(score)), 0) + int(n or 0)
    rating = {s: n for (scale, s), n in counts.items() if scale == Scale.RATING.value and n}
    nps_counts = {s: n for (scale, s), n in counts.items() if scale == Scale.NPS.value and n}
    cards = session.exec(
        select(func.count(), func.coalesce(func.sum(case(
            ((FeedbackCard.mode == Mode.POLL.value) & col(FeedbackCard.closed_at).is_(None), 1), else_=0)), 0))
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


# --- the new-hire survey ------------------------------------------------------------------------------


def start_survey(
    session: Session, *, team_id: int, platform: str, user_id: str, display_name: str, asked_by: int | None,
    now: datetime,
) -> tuple[HireSurvey, bool]:
    """The person's survey in this team, and whether it is new. Asking again someone who has not answered
    yet is fine (the question is sent again); one person answers once per team."""
    survey = session.exec(
        select(HireSurvey).where(
            HireSurvey.team_id == team_id, HireSurvey.platform == platform, HireSurvey.user_id == user_id
        )
    ).first()
    if survey is not None:
        return survey, False
    survey = HireSurvey(
        team_id=team_id, platform=platform, user_id=user_id, display_name=display_name[:200], asked_by=asked_by,
        asked_at=now,
    )
    session.add(survey)
    session.flush()
    return survey, True


def get_survey(session: Session, *, survey_id: int) -> HireSurvey | None:
    return session.get(HireSurvey, survey_id)


def answer_survey(
    session: Session, *, survey: HireSurvey, answer: HireAnswer, now: datetime, activity_id: int | None = None
) -> None:
    """Record (or change) the answer; the answer's time is when it was first given."""
    survey.answer = answer.value
    survey.answered_at = survey.answered_at or now
    if activity_id is not None:
        survey.activity_id = activity_id
    session.add(survey)
    session.flush()


def hiring_counts(session: Session, *, team_id: int, start: datetime, end: datetime) -> tuple[int, int, int]:
    """(yes, partly, surveyed) for the survey answers given with ``start <= time < end``."""
    row = session.exec(
        select(
            func.coalesce(func.sum(case((HireSurvey.answer == HireAnswer.YES.value, 1), else_=0)), 0),
            func.coalesce(func.sum(case((HireSurvey.answer == HireAnswer.PARTLY.value, 1), else_=0)), 0),
            func.count(),
        ).where(
            HireSurvey.team_id == team_id,
            col(HireSurvey.answer).is_not(None),
            HireSurvey.answered_at >= start,
            HireSurvey.answered_at < end,
        )
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


def move_team_feedback(session: Session, *, source_team_id: int, target_team_id: int) -> None:
    """A chat's own team merges into the team it joined: its cards, votes and surveys go along."""
    for model in (FeedbackCard, Vote, VoteTally, HireSurvey):
        session.exec(  # type: ignore[call-overload]
            update(model).where(col(model.team_id) == source_team_id).values(team_id=target_team_id)
        )
