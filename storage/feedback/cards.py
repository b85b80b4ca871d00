"""Feedback cards: the emoji cards and polls the bot posts about an activity, and how a reaction or a poll
answer finds the card it is on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session, col, select, update

from storage.feedback.emoji_map import parsed_emoji_map
from storage.feedback.scales import Scale
from storage.models import FeedbackCard, Team


class Mode(StrEnum):
    EMOJI = "emoji"
    POLL = "poll"


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
    activity_id: int
    anonymous: bool

    @property
    def emoji_map(self) -> dict[str, int]:
        return parsed_emoji_map(self.feedback_emoji)


_CARD = FeedbackCard.__table__  # type: ignore[attr-defined]
_TEAM = Team.__table__  # type: ignore[attr-defined]
# On the tables, not the ORM entities: a Core statement skips the ORM's per-execution compile step.
_REACTION_TARGET = (
    sa.select(_CARD.c.id, _CARD.c.team_id, _CARD.c.mode, _CARD.c.scale, _CARD.c.closed_at, _TEAM.c.feedback_emoji,
              _CARD.c.activity_id, _CARD.c.anonymous)
    .join(_TEAM, _TEAM.c.id == _CARD.c.team_id)
    .where(
        _CARD.c.platform == sa.bindparam("platform"),
        _CARD.c.chat_id == sa.bindparam("chat_id"),
        _CARD.c.message_id == sa.bindparam("message_id"),
    )
)


def reaction_target(session: Session, *, platform: str, chat_id: str, message_id: str) -> ReactionTarget | None:
    """:func:`card_for_message` for the reaction path: the card's few fields and its team's emoji map, in one
    indexed query (``uq_feedback_card_message``) without loading ORM objects."""
    # Remembered for the rest of the transaction: a batch of votes (storage.writer) is mostly on one card, and
    # nothing in the batch changes it. Only found cards: a card posted later in the batch must still be found.
    known: dict[tuple[str, str, str], ReactionTarget] = session.info.setdefault("reaction_targets", {})
    key = (platform, chat_id, message_id)
    if key in known:
        return known[key]
    params = {"platform": platform, "chat_id": chat_id, "message_id": message_id}
    row = session.execute(_REACTION_TARGET, params).first()
    if row is None:
        return None
    target = known[key] = ReactionTarget(*row)
    return target


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
            .order_by(col(FeedbackCard.id))
        )
    )


def close_card(session: Session, *, card: FeedbackCard, now: datetime) -> None:
    """From now on the card's result is frozen: votes on it are refused."""
    session.exec(
        update(FeedbackCard)
        .where(col(FeedbackCard.id) == card.id, col(FeedbackCard.closed_at).is_(None))
        .values(closed_at=now)
    )
    card.closed_at = card.closed_at or now
