"""Votes: one voter, one vote per card, and anonymous tallies.

One vote per voter per card is the ``uq_vote_card_voter`` constraint; a vote is written with an upsert
(``INSERT … ON CONFLICT DO UPDATE`` on SQLite and PostgreSQL alike), so concurrent reactions never count
twice and never fail on each other. A vote is attributed to the time it was cast (or last changed).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, delete
from sqlmodel import Session, col

from storage.driver import DriverStatement
from storage.feedback.scales import Scale, scores_of
from storage.models import FeedbackCard, Vote, VoteTally

FORGOTTEN_PREFIX = "~"  # a tally option that holds a forgotten voter's vote (storage.community.forget)


def voter_key(*, platform: str, user_id: str) -> str:
    return f"{platform}:{user_id}"[:96]


class VotedCard(Protocol):
    """A FeedbackCard, or the :class:`~storage.feedback.cards.ReactionTarget` a reaction reads: what a vote
    needs of its card."""

    @property
    def id(self) -> int | None: ...
    @property
    def team_id(self) -> int: ...
    @property
    def scale(self) -> str: ...
    @property
    def activity_id(self) -> int: ...
    @property
    def anonymous(self) -> bool: ...


# Core statements on the table (an ORM entity with bound parameters would take the slower ORM bulk path).
_VOTE = Vote.metadata.tables["vote"]
_VOTE_COLUMNS = ("card_id", "team_id", "scale", "voter", "score", "emoji", "cast_at")
_UPSERTS: dict[str, DriverStatement] = {}


def dialect_insert(dialect: str) -> Any:
    """The dialect's INSERT, which offers ON CONFLICT (imported when first needed: a SQLite bot never loads
    the PostgreSQL dialect)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert
    from sqlalchemy.dialects import sqlite

    return sqlite.insert


def upsert_vote_statement(dialect: str) -> DriverStatement:
    """``INSERT … ON CONFLICT (card_id, voter) DO UPDATE`` with bound parameters, built once per dialect (a
    statement built per vote costs more than running it) and run on the driver's cursor (storage.driver)."""
    statement = _UPSERTS.get(dialect)
    if statement is None:
        insert = dialect_insert(dialect)(_VOTE).values({name: bindparam(name) for name in _VOTE_COLUMNS})
        excluded = insert.excluded
        statement = _UPSERTS[dialect] = DriverStatement(insert.on_conflict_do_update(
            index_elements=["card_id", "voter"],
            set_={"score": excluded.score, "emoji": excluded.emoji, "cast_at": excluded.cast_at},
        ))
    return statement


_DELETE = delete(_VOTE).where(_VOTE.c.card_id == bindparam("card_id"), _VOTE.c.voter == bindparam("voter"))
_WITHDRAW = DriverStatement(_DELETE)
_WITHDRAW_EMOJI = DriverStatement(_DELETE.where(_VOTE.c.emoji == bindparam("emoji")))


def cast_vote(
    session: Session, *, card: VotedCard, voter: str, score: int, now: datetime, emoji: str | None = None
) -> None:
    """The voter's vote on the card is now ``score``: inserted, or replacing their earlier one (atomically)."""
    if score not in scores_of(Scale(card.scale)):
        raise ValueError(f"score {score} is outside the {card.scale} scale")
    params = {"card_id": card.id, "team_id": card.team_id, "scale": card.scale, "voter": voter, "score": score,
              "emoji": emoji, "cast_at": now}
    upsert_vote_statement(session.get_bind().dialect.name).execute(session, params)


def withdraw_vote(session: Session, *, card: VotedCard, voter: str, emoji: str | None = None) -> bool:
    """Delete the voter's vote; with ``emoji``, only when that is the reaction the vote came from (a reaction
    that was already replaced by another one withdraws nothing). True when a vote was deleted."""
    if emoji is None:
        cursor = _WITHDRAW.execute(session, {"card_id": card.id, "voter": voter})
    else:
        cursor = _WITHDRAW_EMOJI.execute(session, {"card_id": card.id, "voter": voter, "emoji": emoji})
    return bool(cursor.rowcount)


def replace_tallies(
    session: Session, *, card: FeedbackCard, tallies: Mapping[str, tuple[int, int]], now: datetime
) -> None:
    """Anonymous totals: ``{option: (score, count)}`` replaces whatever the card had (newest count wins) —
    except the counts that forgotten voters' votes became (options starting with ``~``), which no platform
    total includes."""
    assert card.id is not None, "a card gets votes only once it is stored"
    session.exec(delete(VoteTally).where(col(VoteTally.card_id) == card.id,
                                         col(VoteTally.option).not_like(f"{FORGOTTEN_PREFIX}%")))
    for option, (score, count) in tallies.items():
        if count > 0:
            session.add(
                VoteTally(card_id=card.id, option=option[:64], team_id=card.team_id, scale=card.scale, score=score,
                          count=count, updated_at=now)
            )
    session.flush()
