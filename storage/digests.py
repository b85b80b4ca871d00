"""Digest schedules and channels. Each team's next digest time is a row value; a sweep opens a due week by
moving that value on (a conditional UPDATE, so one process wins), then one delivery per channel and week
goes through the outbox — so a digest reaches each channel once, and a failed channel is retried alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select, update

from storage.ids import id_of
from storage.models import DigestChannel, DigestDelivery, Team
from storage.periods import local_moment, local_today, period_containing

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def next_digest_time(team: Team, *, after: datetime) -> datetime:
    """The first digest moment (the team's weekday and hour, in its zone) strictly after ``after``."""
    day = local_today(after, team.timezone)
    day += timedelta(days=(team.digest_weekday - day.weekday()) % 7)
    moment = local_moment(day, team.digest_hour, team.timezone)
    return moment if moment > after else local_moment(day + timedelta(days=7), team.digest_hour, team.timezone)


def channels_of(session: Session, *, team_id: int | None) -> list[DigestChannel]:
    return list(session.exec(select(DigestChannel).where(DigestChannel.team_id == team_id)
                             .order_by(col(DigestChannel.id))).all())


def subscribe(session: Session, *, team: Team, platform: str, chat_id: str, thread_id: str | None,
              member_id: int | None, now: datetime) -> bool:
    """Make this chat a digest channel of the team; False when it already was."""
    existing = session.exec(select(DigestChannel).where(DigestChannel.platform == platform,
                                                        DigestChannel.chat_id == chat_id)).first()
    if existing is not None and existing.team_id == team.id:
        return False
    if existing is not None:  # the chat now belongs to another team: it moves
        session.delete(existing)
        session.flush()
    session.add(DigestChannel(team_id=id_of(team), platform=platform, chat_id=chat_id, thread_id=thread_id,
                              created_by=member_id))
    if team.next_digest_at is None:
        team.next_digest_at = next_digest_time(team, after=now)
        session.add(team)
    session.flush()
    return True


def unsubscribe(session: Session, *, team: Team, platform: str, chat_id: str) -> bool:
    channel = session.exec(select(DigestChannel).where(
        DigestChannel.team_id == team.id, DigestChannel.platform == platform, DigestChannel.chat_id == chat_id)).first()
    if channel is None:
        return False
    session.delete(channel)
    session.flush()
    if not channels_of(session, team_id=team.id):
        team.next_digest_at = None
        session.add(team)
    return True


def reschedule_digest(session: Session, *, team: Team, now: datetime) -> None:
    """After the team's day, hour or zone changed."""
    if channels_of(session, team_id=team.id):
        team.next_digest_at = next_digest_time(team, after=now)
        session.add(team)


def open_due_weeks(session: Session, *, now: datetime) -> int:
    """For every team whose digest time has come: move its next time on (one process wins each team) and
    create a delivery per channel for the last full week. Returns how many deliveries were created."""
    created = 0
    due = session.exec(select(Team).where(col(Team.next_digest_at).is_not(None), col(Team.next_digest_at) <= now)
                       ).all()
    for team in due:
        scheduled = team.next_digest_at
        won = session.exec(
            update(Team).where(col(Team.id) == team.id, col(Team.next_digest_at) == scheduled)
            .values(next_digest_at=next_digest_time(team, after=now))
        ).rowcount
        if not won:
            continue
        # The latest complete week as of now: after downtime the freshest week is sent, once.
        week = period_containing("week", local_today(now, team.timezone)).previous()
        for channel in channels_of(session, team_id=team.id):
            created += _add_delivery(session, team_id=id_of(team), channel_id=id_of(channel), week_start=week.start,
                                     due_at=scheduled or now)
    return created


def _add_delivery(session: Session, *, team_id: int, channel_id: int, week_start: date,
                  due_at: datetime) -> int:
    try:
        with session.begin_nested():
            session.add(DigestDelivery(team_id=team_id, channel_id=channel_id, week_start=week_start, due_at=due_at,
                                       next_attempt_at=due_at))
            session.flush()
    except IntegrityError:  # that channel already has that week
        return 0
    return 1


@dataclass(frozen=True)
class DeliveryJob:
    delivery_id: int
    team_id: int
    week_start: date
    platform: str
    chat_id: str
    thread_id: str | None
    progress: int
    thread_ref: str | None


def delivery_job(session: Session, *, delivery_id: int) -> DeliveryJob | None:
    delivery = session.get(DigestDelivery, delivery_id)
    channel = session.get(DigestChannel, delivery.channel_id) if delivery else None
    if delivery is None or channel is None:
        return None
    return DeliveryJob(delivery_id, delivery.team_id, delivery.week_start, channel.platform, channel.chat_id,
                       channel.thread_id, delivery.progress, delivery.thread_ref)
