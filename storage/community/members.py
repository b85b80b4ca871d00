"""Community members and their interactions.

A member row and an interaction row are written with ``INSERT … ON CONFLICT DO UPDATE`` (SQLite and PostgreSQL
alike), so two reactions of one new person arriving at once never fail on each other or create them twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import bindparam, case, delete, func, select, text
from sqlmodel import Session, col

from storage.models import CommunityMember, Interaction


class InteractionKind(StrEnum):
    REACTION = "reaction"
    POLL_ANSWER = "poll_answer"
    ATTENDANCE = "attendance"
    SPEAKING = "speaking"


def card_subject(card_id: int) -> str:
    return f"card:{card_id}"


def activity_subject(activity_id: int) -> str:
    return f"activity:{activity_id}"


def _insert(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert
    from sqlalchemy.dialects import sqlite

    return sqlite.insert


def note_member(
    session: Session, *, team_id: int, platform: str, user_id: str, display_name: str, now: datetime
) -> int:
    """The person is a member of the team's community, seen ``now``: created, or their name and last-seen time
    updated. Returns the member's id. A name that is only the user id (a door that has not looked the person
    up yet) never replaces a stored name."""
    insert = _insert(session)
    table = CommunityMember.metadata.tables["community_member"]
    statement = insert(table).values(
        team_id=team_id, platform=platform, user_id=user_id[:64], display_name=display_name[:200] or user_id[:64],
        first_seen=now, last_seen=now,
    )
    statement = statement.on_conflict_do_update(
        index_elements=["team_id", "platform", "user_id"],
        set_={"display_name": case((statement.excluded.display_name == statement.excluded.user_id,
                                    table.c.display_name), else_=statement.excluded.display_name),
              "last_seen": func.greatest(table.c.last_seen, statement.excluded.last_seen)
              if session.get_bind().dialect.name == "postgresql"
              else func.max(table.c.last_seen, statement.excluded.last_seen)},
    ).returning(table.c.id)
    return int(session.execute(statement).scalar_one())


_TIME = CommunityMember.metadata.tables["community_member"].c.first_seen.type
_PG_NOTE = text("""
WITH m AS (
    INSERT INTO community_member (team_id, platform, user_id, display_name, first_seen, last_seen)
    VALUES (:team_id, :platform, :user_id, :display_name, :now, :now)
    ON CONFLICT (team_id, platform, user_id) DO UPDATE SET display_name = CASE
            WHEN EXCLUDED.display_name = EXCLUDED.user_id THEN community_member.display_name
            ELSE EXCLUDED.display_name END,
        last_seen = GREATEST(community_member.last_seen, EXCLUDED.last_seen)
    RETURNING id
)
INSERT INTO interaction (member_id, team_id, kind, subject, activity_id, at)
SELECT id, :team_id, :kind, :subject, :activity_id, :now FROM m
ON CONFLICT (member_id, kind, subject) DO UPDATE SET at = EXCLUDED.at
RETURNING member_id
""").bindparams(bindparam("now", type_=_TIME))


def note_interaction(
    session: Session,
    *,
    team_id: int,
    platform: str,
    user_id: str,
    display_name: str,
    kind: InteractionKind,
    subject: str,
    activity_id: int | None,
    now: datetime,
) -> int:
    """Record one public interaction (and the person as a community member); a repeat on the same subject moves
    its time. Returns the member's id."""
    if session.get_bind().dialect.name == "postgresql":
        # One round trip instead of two: reactions are the bot's highest-rate writes.
        return int(session.execute(_PG_NOTE, {
            "team_id": team_id, "platform": platform, "user_id": user_id[:64],
            "display_name": display_name[:200] or user_id[:64], "kind": kind.value, "subject": subject,
            "activity_id": activity_id, "now": now,
        }).scalar_one())
    member_id = note_member(session, team_id=team_id, platform=platform, user_id=user_id,
                            display_name=display_name, now=now)
    table = Interaction.metadata.tables["interaction"]
    statement = _insert(session)(table).values(
        member_id=member_id, team_id=team_id, kind=kind.value, subject=subject, activity_id=activity_id, at=now
    )
    session.execute(statement.on_conflict_do_update(
        index_elements=["member_id", "kind", "subject"], set_={"at": statement.excluded.at}
    ))
    return member_id


def withdraw_interaction(
    session: Session, *, team_id: int, platform: str, user_id: str, kind: InteractionKind, subject: str
) -> None:
    """A reaction or answer taken back is no interaction any more (the person stays a member)."""
    member_ids = select(col(CommunityMember.id)).where(
        col(CommunityMember.team_id) == team_id, col(CommunityMember.platform) == platform,
        col(CommunityMember.user_id) == user_id,
    )
    session.execute(delete(Interaction).where(
        col(Interaction.member_id).in_(member_ids), col(Interaction.kind) == kind.value,
        col(Interaction.subject) == subject,
    ))


class _Card(Protocol):
    """What recording a vote's interaction needs of its card (a FeedbackCard or a ReactionTarget)."""

    @property
    def id(self) -> int | None: ...
    @property
    def team_id(self) -> int: ...
    @property
    def activity_id(self) -> int: ...
    @property
    def anonymous(self) -> bool: ...


def note_vote(
    session: Session, *, card: _Card, platform: str, user_id: str, display_name: str, kind: InteractionKind,
    now: datetime,
) -> None:
    """A public vote makes the voter a community member of the card's team — called in the vote's own
    transaction; a vote on an anonymous poll identifies no one."""
    if card.anonymous or card.id is None:
        return
    note_interaction(session, team_id=card.team_id, platform=platform, user_id=user_id, display_name=display_name,
                     kind=kind, subject=card_subject(card.id), activity_id=card.activity_id, now=now)


def withdraw_vote_interaction(
    session: Session, *, card: _Card, platform: str, user_id: str, kind: InteractionKind
) -> None:
    if card.id is not None:
        withdraw_interaction(session, team_id=card.team_id, platform=platform, user_id=user_id, kind=kind,
                             subject=card_subject(card.id))
