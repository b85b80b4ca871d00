"""Housekeeping: rows that only guard against redeliveries are dropped once no redelivery can come."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from storage import inbox
from storage.db import Database
from storage.events import forget_processed_before

# Slack retries within an hour, Telegram keeps an unconfirmed update for a day: a week is ample.
RETENTION = timedelta(days=7)


@dataclass(frozen=True)
class Pruned:
    processed: int
    inbox: int


def prune(db: Database, *, now: datetime, retention: timedelta = RETENTION) -> Pruned:
    """Drop dedupe marks and handled inbox rows older than ``retention``. Inbox rows not handled yet stay."""
    cutoff = now - retention
    with db.session() as session:
        processed = forget_processed_before(session, cutoff=cutoff)
        handled = inbox.prune_done_before(session, cutoff=cutoff)
    return Pruned(processed=processed, inbox=handled)
