"""Teams, the chats bound to them, and their members."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from storage.domain import Role
from storage.ids import id_of
from storage.models import ChatBinding, Member, Team


def team_for_chat(session: Session, *, platform: str, scope_id: str) -> Team | None:
    """One indexed join: every command starts here."""
    return session.exec(
        select(Team).join(ChatBinding, col(ChatBinding.team_id) == Team.id)
        .where(ChatBinding.platform == platform, ChatBinding.chat_id == scope_id)
    ).first()


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
    """The first person to use a new team becomes its admin; everyone after is an advocate."""
    member = _member(session, team_id=team.id, platform=platform, user_id=user_id)
    if member is not None:
        if display_name and member.display_name != display_name[:200]:
            member.display_name = display_name[:200]
            session.add(member)
        return member
    # Lock the team row (PostgreSQL) so two people arriving at once cannot both count zero members and both
    # become admin; on SQLite a writer holds the write lock from its BEGIN IMMEDIATE, so the count is current.
    session.exec(select(Team.id).where(Team.id == team.id).with_for_update()).one()
    has_members = session.exec(select(func.count()).select_from(Member).where(Member.team_id == team.id)).one()
    role = Role.ADVOCATE if has_members else Role.ADMIN
    try:
        with session.begin_nested():
            member = Member(
                team_id=id_of(team),
                platform=platform,
                user_id=user_id,
                display_name=(display_name or user_id)[:200],
                role=role.value,
            )
            session.add(member)
            session.flush()
    except IntegrityError:
        member = _member(session, team_id=team.id, platform=platform, user_id=user_id)
        assert member is not None
        return member
    return member


def _member(session: Session, *, team_id: int | None, platform: str, user_id: str) -> Member | None:
    return session.exec(
        select(Member).where(Member.team_id == team_id, Member.platform == platform, Member.user_id == user_id)
    ).first()


def find_members_by_name(session: Session, *, team_id: int, name: str) -> list[Member]:
    """Members whose display name (or user id) matches ``name``, ignoring case and a leading @."""
    wanted = name.lstrip("@").casefold()
    members = session.exec(select(Member).where(Member.team_id == team_id)).all()
    return [m for m in members if wanted in (m.display_name.casefold(), m.user_id.casefold())]


def members_by_id(session: Session, *, ids: set[int]) -> dict[int, Member]:
    if not ids:
        return {}
    return {id_of(m): m for m in session.exec(select(Member).where(col(Member.id).in_(ids))).all()}


def home_team_of(session: Session, *, platform: str, user_id: str) -> Team | None:
    """The team a person first joined on this platform: where their direct messages to the bot belong."""
    member = session.exec(
        select(Member).where(Member.platform == platform, Member.user_id == user_id).order_by(col(Member.id))
    ).first()
    return session.get(Team, member.team_id) if member else None
