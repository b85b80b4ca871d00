"""Community members and their interactions.

A member row and an interaction row are written with ``INSERT … ON CONFLICT DO UPDATE`` (SQLite and PostgreSQL
alike), so two reactions of one new person arriving at once never fail on each other or create them twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy import bindparam, text
from sqlmodel import Session

from storage.driver import DriverStatement
from storage.models import CommunityMember


class InteractionKind(StrEnum):
    REACTION = "reaction"
    POLL_ANSWER = "poll_answer"
    ATTENDANCE = "attendance"
    SPEAKING = "speaking"


def card_subject(card_id: int) -> str:
    return f"card:{card_id}"


def activity_subject(activity_id: int) -> str:
    return f"activity:{activity_id}"


# Statements built once and run on the driver's cursor (storage.driver): a vote is the bot's highest-rate write,
# and building an upsert per vote cost more than running it. A name that is only the user id (a door that has not
# looked the person up yet) never replaces a stored name; last seen only moves forward.
_MEMBER_UPSERT = """
    INSERT INTO community_member (team_id, platform, user_id, display_name, first_seen, last_seen)
    VALUES (:team_id, :platform, :user_id, :display_name, :now, :now)
    ON CONFLICT (team_id, platform, user_id) DO UPDATE SET display_name = CASE
            WHEN EXCLUDED.display_name = EXCLUDED.user_id THEN community_member.display_name
            ELSE EXCLUDED.display_name END,
        last_seen = {latest}(community_member.last_seen, EXCLUDED.last_seen)
    RETURNING id"""
_INTERACTION_UPSERT = """
    INSERT INTO interaction (member_id, team_id, kind, subject, activity_id, at)
    {source}
    ON CONFLICT (member_id, kind, subject) DO UPDATE SET at = EXCLUDED.at"""
_TIME = CommunityMember.metadata.tables["community_member"].c.first_seen.type
_NOTE_MEMBER = {
    "sqlite": DriverStatement(text(_MEMBER_UPSERT.format(latest="MAX")).bindparams(bindparam("now", type_=_TIME))),
    "postgresql": DriverStatement(
        text(_MEMBER_UPSERT.format(latest="GREATEST")).bindparams(bindparam("now", type_=_TIME))
    ),
}
_SQLITE_INTERACTION = DriverStatement(text(_INTERACTION_UPSERT.format(
    source="VALUES (:member_id, :team_id, :kind, :subject, :activity_id, :now)"
)).bindparams(bindparam("now", type_=_TIME)))
# PostgreSQL: member and interaction in one round trip.
_PG_NOTE = DriverStatement(text(
    "WITH m AS (" + _MEMBER_UPSERT.format(latest="GREATEST") + ")"
    + _INTERACTION_UPSERT.format(source="SELECT id, :team_id, :kind, :subject, :activity_id, :now FROM m")
    + " RETURNING member_id"
).bindparams(bindparam("now", type_=_TIME)))


def _dialect(session: Session) -> str:
    return "postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"


def note_member(
    session: Session, *, team_id: int, platform: str, user_id: str, display_name: str, now: datetime
) -> int:
    """The person is a member of the team's community, seen ``now``: created, or their name and last-seen time
    updated. Returns the member's id. A name that is only the user id (a door that has not looked the person
    up yet) never replaces a stored name."""
    params = {"team_id": team_id, "platform": platform, "user_id": user_id[:64],
              "display_name": display_name[:200] or user_id[:64], "now": now}
    return int(_NOTE_MEMBER[_dialect(session)].execute(session, params).fetchone()[0])


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
    params = {"team_id": team_id, "kind": kind.value, "subject": subject, "activity_id": activity_id, "now": now}
    if _dialect(session) == "postgresql":
        return int(_PG_NOTE.execute(session, {
            **params, "platform": platform, "user_id": user_id[:64], "display_name": display_name[:200] or user_id[:64],
        }).fetchone()[0])
    member_id = note_member(session, team_id=team_id, platform=platform, user_id=user_id,
                            display_name=display_name, now=now)
    _SQLITE_INTERACTION.execute(session, {**params, "member_id": member_id})
    return member_id


_WITHDRAW = DriverStatement(text("""
    DELETE FROM interaction WHERE kind = :kind AND subject = :subject AND member_id IN (
        SELECT id FROM community_member WHERE team_id = :team_id AND platform = :platform AND user_id = :user_id)"""))


def withdraw_interaction(
    session: Session, *, team_id: int, platform: str, user_id: str, kind: InteractionKind, subject: str
) -> None:
    """A reaction or answer taken back is no interaction any more (the person stays a member)."""
    _WITHDRAW.execute(session, {"team_id": team_id, "platform": platform, "user_id": user_id[:64],
                                "kind": kind.value, "subject": subject})


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
