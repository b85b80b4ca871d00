"""Teams, the chats bound to them, and their members."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, func, select

from storage.domain import Role
from storage.ids import id_of
from storage.models import (
    Activity,
    ChatBinding,
    CommunityMember,
    Goal,
    HireSurvey,
    Interaction,
    Member,
    PrivateChatTeam,
    Team,
)


def team_for_chat(session: Session, *, platform: str, scope_id: str) -> Team | None:
    """One indexed join: every command starts here."""
    return session.exec(
        select(Team).join(ChatBinding, col(ChatBinding.team_id) == Team.id)
        .where(ChatBinding.platform == platform, ChatBinding.chat_id == scope_id)
    ).first()


def team_chat_purpose(session: Session, *, platform: str, scope_id: str, team_id: int | None) -> bool:
    """True when the chat is one of the team's own chats (not a community chat, not another team's): only
    there does the platform's word on who administers it make someone a team admin."""
    purpose = session.exec(
        select(ChatBinding.purpose).where(
            ChatBinding.platform == platform, ChatBinding.chat_id == scope_id, ChatBinding.team_id == team_id
        )
    ).first()
    return purpose == "team"


def get_or_create_team_for_chat(
    session: Session,
    *,
    platform: str,
    scope_id: str,
    name: str,
    timezone: str,
    currency: str = "USD",
    locale: str = "en",
) -> Team:
    """A chat that is not linked to a team yet becomes a team of its own."""
    team = team_for_chat(session, platform=platform, scope_id=scope_id)
    if team is not None:
        return team
    try:
        with session.begin_nested():
            team = Team(name=name[:200] or "Team", timezone=timezone, currency=currency, locale=locale)
            session.add(team)
            session.flush()
            session.add(ChatBinding(platform=platform, chat_id=scope_id, team_id=id_of(team), title=name[:200]))
            session.flush()
    except IntegrityError:
        # Another process bound this chat first: use its team.
        team = team_for_chat(session, platform=platform, scope_id=scope_id)
        assert team is not None
    return team


def get_or_create_member(session: Session, *, team: Team, platform: str, user_id: str, display_name: str) -> Member:
    """The person joins the team by using it (their own action). Nobody becomes an admin by being first: admins
    come from the platform (the doors ask it) or from an explicit grant (:func:`set_role`)."""
    member = _member(session, team_id=team.id, platform=platform, user_id=user_id)
    if member is not None:
        if display_name and member.display_name != display_name[:200]:
            member.display_name = display_name[:200]
            session.add(member)
        return member
    try:
        with session.begin_nested():
            member = Member(
                team_id=id_of(team),
                platform=platform,
                user_id=user_id,
                display_name=(display_name or user_id)[:200],
                role=Role.ADVOCATE.value,
            )
            session.add(member)
            session.flush()
    except IntegrityError:  # the same person's other command added them a moment ago
        member = _member(session, team_id=team.id, platform=platform, user_id=user_id)
        assert member is not None
    return member


def find_member(session: Session, *, team: Team, platform: str, user_id: str) -> Member | None:
    """The person's membership of the team, if they joined (a read: creates nothing)."""
    return _member(session, team_id=team.id, platform=platform, user_id=user_id)


def set_role(session: Session, *, member: Member, role: Role) -> bool:
    """Grant or revoke the admin role; False when the member had that role already."""
    if member.role == role.value:
        return False
    member.role = role.value
    session.add(member)
    session.flush()
    return True


def granted_admins(session: Session, *, team_id: int) -> list[Member]:
    return list(
        session.exec(
            select(Member).where(Member.team_id == team_id, Member.role == Role.ADMIN.value).order_by(col(Member.id))
        )
    )


def _member(session: Session, *, team_id: int | None, platform: str, user_id: str) -> Member | None:
    return session.exec(
        select(Member).where(Member.team_id == team_id, Member.platform == platform, Member.user_id == user_id)
    ).first()


def find_members_by_name(session: Session, *, team_id: int, name: str) -> list[Member]:
    """Members whose display name (or user id) matches ``name``, ignoring case and a leading @."""
    wanted = name.lstrip("@").casefold()
    members = session.exec(select(Member).where(Member.team_id == team_id)).all()
    return [m for m in members if wanted in (m.display_name.casefold(), m.user_id.casefold())]


_MEMBER = Member.__table__  # type: ignore[attr-defined]
_MEMBERS_OF_TEAM = sa_select(_MEMBER.c.id, _MEMBER.c.display_name, _MEMBER.c.user_id).where(
    _MEMBER.c.team_id == bindparam("team_id"))


def members_named(connection: Connection, *, team_id: int, name: str) -> list[tuple[int, str]]:
    """:func:`find_members_by_name` in one Core statement (the hot path's): each match's id and display name."""
    wanted = name.lstrip("@").casefold()
    rows = connection.execute(_MEMBERS_OF_TEAM, {"team_id": team_id}).all()
    return [(member_id, shown) for member_id, shown, user_id in rows
            if wanted in (shown.casefold(), user_id.casefold())]


def members_by_id(session: Session, *, ids: set[int]) -> dict[int, Member]:
    if not ids:
        return {}
    return {id_of(m): m for m in session.exec(select(Member).where(col(Member.id).in_(ids))).all()}


def teams_of_person(session: Session, *, platform: str, user_id: str) -> list[Team]:
    """The teams a person joined on this platform (by using them, or being brought in by an admin's /connect)."""
    return list(
        session.exec(
            select(Team)
            .join(Member, col(Member.team_id) == Team.id)
            .where(Member.platform == platform, Member.user_id == user_id)
            .order_by(col(Team.id))
        )
    )


def chosen_team_id(session: Session, *, platform: str, user_id: str) -> int | None:
    """The team the person picked for their private chat with the bot (``/team N``)."""
    choice = session.get(PrivateChatTeam, (platform, user_id))
    return choice.team_id if choice else None


def choose_team(session: Session, *, platform: str, user_id: str, team_id: int, now: datetime) -> None:
    choice = session.get(PrivateChatTeam, (platform, user_id))
    if choice is None:
        choice = PrivateChatTeam(platform=platform, user_id=user_id, team_id=team_id, chosen_at=now)
    else:
        choice.team_id, choice.chosen_at = team_id, now
    session.add(choice)
    session.flush()


def activity_count(session: Session, *, team_id: int) -> int:
    return int(session.exec(select(func.count()).select_from(Activity).where(Activity.team_id == team_id)).one())


def clear_ledger(session: Session, *, team_id: int) -> None:
    """Erase what a team recorded — activities (with their tags, checklists, reminders, cards and votes, which
    the database cascades), survey answers, goals and its community — and keep the team: its settings, chats
    and members."""
    for table in (Interaction, CommunityMember, HireSurvey, Goal, Activity):
        session.exec(delete(table).where(col(table.team_id) == team_id))
    session.flush()
