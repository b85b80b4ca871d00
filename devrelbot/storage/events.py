"""Dedupe of platform events: Slack retries, repeated event ids, Telegram update ids are handled once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete

from devrelbot.storage.models import ProcessedEvent


def mark_processed(session: Session, *, platform: str, event_id: str) -> bool:
    """Record the event; True the first time it is seen, False for a repeat (also across processes)."""
    try:
        with session.begin_nested():
            session.add(ProcessedEvent(platform=platform, event_id=event_id[:128]))
            session.flush()
    except IntegrityError:
        return False
    return True


def forget_processed_before(session: Session, *, cutoff: datetime) -> int:
    """Old entries only guard against retries, which come within minutes: prune them."""
    result = session.exec(delete(ProcessedEvent).where(col(ProcessedEvent.created_at) < cutoff))  # type: ignore[call-overload]
    return int(result.rowcount or 0)
