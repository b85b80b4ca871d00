"""Guided dialogues in progress (:class:`storage.models.Dialogue`), shared by every replica: what a door asked a
person and what they answered so far. The state is the door's own JSON; this module keys it, stores it, ends it
and expires it. A dialogue past its ``expires_at`` is treated as gone before any sweep drops it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlalchemy import delete as core_delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, select

from storage.models import Dialogue

_TABLE = Dialogue.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class DialogueKey:
    """One person's dialogue in one chat (and forum topic)."""

    platform: str
    chat_id: str
    thread_id: str | None
    user_id: str

    def where(self) -> tuple[ColumnElement[bool], ...]:
        return (_TABLE.c.platform == self.platform, _TABLE.c.chat_id == self.chat_id,
                _TABLE.c.thread_id == (self.thread_id or ""), _TABLE.c.user_id == self.user_id)


def load(session: Session, *, key: DialogueKey, now: datetime, for_update: bool = False) -> str | None:
    """The dialogue's state, None when there is none or it has expired. ``for_update``: the row stays locked
    until the transaction ends (PostgreSQL; a SQLite writer holds the whole database already), so two replicas
    handling two answers of one dialogue take turns."""
    query = select(_TABLE.c.state).where(*key.where(), _TABLE.c.expires_at > now)
    if for_update:
        query = query.with_for_update()
    state = session.execute(query).scalar()
    return None if state is None else str(state)


def save(session: Session, *, key: DialogueKey, state: str, expires_at: datetime) -> None:
    """Start or advance the dialogue (an expired one left behind is replaced)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(_TABLE).values(
        platform=key.platform, chat_id=key.chat_id, thread_id=key.thread_id or "", user_id=key.user_id,
        state=state, expires_at=expires_at,
    )
    session.execute(statement.on_conflict_do_update(
        index_elements=["platform", "chat_id", "thread_id", "user_id"],
        set_={"state": statement.excluded.state, "expires_at": statement.excluded.expires_at},
    ))


def end(session: Session, *, key: DialogueKey) -> bool:
    """The dialogue is over (finished or cancelled); False when there was none."""
    return bool(session.exec(delete(Dialogue).where(*key.where())).rowcount)


def expire(session: Session, *, key: DialogueKey, now: datetime) -> str | None:
    """End the dialogue if it has run out by ``now``; its state when it did (for the notice), None when it was
    answered since (its clock moved on), ended, or expired by someone else — so one replica tells the person."""
    row = session.execute(
        core_delete(_TABLE).where(*key.where(), _TABLE.c.expires_at <= now).returning(_TABLE.c.state)
    ).first()
    return None if row is None else str(row[0])


def prune_expired_before(session: Session, *, cutoff: datetime) -> int:
    """Drop dialogues that ran out before ``cutoff``: abandoned ones whose replica was gone when their time came
    (the replica that asked the last question ends its dialogue itself, with a notice)."""
    result = session.exec(delete(Dialogue).where(col(Dialogue.expires_at) < cutoff))
    return int(result.rowcount or 0)


def active(session: Session, *, now: datetime) -> list[DialogueKey]:
    """Every dialogue still running (for tests and the console of an operator)."""
    rows = session.exec(select(Dialogue.platform, Dialogue.chat_id, Dialogue.thread_id, Dialogue.user_id)
                        .where(col(Dialogue.expires_at) > now)).all()
    return [DialogueKey(platform, chat, thread or None, user) for platform, chat, thread, user in rows]


def deadlines(session: Session, *, platform: str, now: datetime) -> list[tuple[DialogueKey, datetime]]:
    """The platform's dialogues still running and when each runs out (a door starting again sets their clocks)."""
    rows = session.exec(select(Dialogue.chat_id, Dialogue.thread_id, Dialogue.user_id, Dialogue.expires_at)
                        .where(Dialogue.platform == platform, col(Dialogue.expires_at) > now)).all()
    return [(DialogueKey(platform, chat, thread or None, user), expires) for chat, thread, user, expires in rows]
