"""The audience base: how many people each of a team's chats has, counted once a day.

Counted chats: every linked Telegram group or channel (a team chat or a community chat; not private chats), every
community Slack channel, and every digest channel. Each team's local day gets one ``audience_count`` row per chat
(the unique ``(platform, chat_id, day)`` makes a second process's or a restarted one's insert a no-op); the row is
then claimed by one sweep, which asks the platform (see :mod:`jobs.audience`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.models import AudienceCount, ChatBinding, DigestChannel, Team
from storage.periods import local_today

COUNTED_PLATFORMS = ("telegram", "slack")


@dataclass(frozen=True)
class CountedChat:
    team_id: int
    platform: str
    chat_id: str
    title: str | None


def counted_chats(session: Session) -> list[CountedChat]:
    chats: dict[tuple[str, str], CountedChat] = {}
    for b in session.exec(select(ChatBinding).where(col(ChatBinding.platform).in_(COUNTED_PLATFORMS))):
        telegram_group = b.platform == "telegram" and b.chat_id.startswith("-")  # private chats have positive ids
        slack_channel = b.platform == "slack" and b.purpose == "community"  # a team binding is the workspace
        if telegram_group or slack_channel:
            chats[(b.platform, b.chat_id)] = CountedChat(b.team_id, b.platform, b.chat_id, b.title)
    for d in session.exec(select(DigestChannel).where(col(DigestChannel.platform).in_(COUNTED_PLATFORMS))):
        chats.setdefault((d.platform, d.chat_id), CountedChat(d.team_id, d.platform, d.chat_id, None))
    return list(chats.values())


def _insert(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert
    from sqlalchemy.dialects import sqlite

    return sqlite.insert


def open_due_counts(session: Session, *, now: datetime) -> int:
    """Create today's row (in each team's time zone) for every counted chat that has none yet; returns how many
    were created. Cheap when there is nothing to do: one read of today's rows."""
    chats = counted_chats(session)
    if not chats:
        return 0
    zones = dict(session.exec(select(Team.id, Team.timezone).where(
        col(Team.id).in_({c.team_id for c in chats}))).all())
    days = {c: local_today(now, zones.get(c.team_id) or "UTC") for c in chats}
    have = set(session.exec(select(col(AudienceCount.platform), col(AudienceCount.chat_id), col(AudienceCount.day))
                            .where(col(AudienceCount.day).in_(set(days.values())))).all())
    table = AudienceCount.metadata.tables["audience_count"]
    created = 0
    for chat, day in days.items():
        if (chat.platform, chat.chat_id, day) in have:
            continue
        statement = _insert(session)(table).values(
            team_id=chat.team_id, platform=chat.platform, chat_id=chat.chat_id, title=chat.title, day=day,
            next_attempt_at=now, attempts=0,
        ).on_conflict_do_nothing(index_elements=["platform", "chat_id", "day"]).returning(table.c.id)
        created += len(session.execute(statement).all())
    return created


@dataclass(frozen=True)
class ChatAudience:
    platform: str
    chat_id: str
    title: str | None
    count: int  # the latest count before the period's end
    was: int  # the latest before its start; else the first in it (the chat was counted from then on)


def audience_growth(session: Session, *, team_id: int, start: date, end: date) -> list[ChatAudience]:
    """Each counted chat's base at the end of ``[start, end)`` and how it grew over it."""
    rows = session.exec(
        select(AudienceCount)
        .where(AudienceCount.team_id == team_id, col(AudienceCount.count).is_not(None), col(AudienceCount.day) < end)
        .order_by(col(AudienceCount.day))
    ).all()
    latest: dict[tuple[str, str], tuple[str | None, int]] = {}
    before: dict[tuple[str, str], int] = {}
    first_in: dict[tuple[str, str], int] = {}
    for row in rows:
        key, count = (row.platform, row.chat_id), row.count or 0
        latest[key] = (row.title, count)
        if row.day < start:
            before[key] = count
        else:
            first_in.setdefault(key, count)
    return [
        ChatAudience(platform=p, chat_id=c, title=title, count=count, was=before.get((p, c), first_in.get((p, c),
                                                                                                          count)))
        for (p, c), (title, count) in sorted(latest.items())
    ]
