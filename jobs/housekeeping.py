"""Housekeeping: rows that only guard against redeliveries are dropped once no redelivery can come."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from storage import archive, buttons, dialogues, inbox
from storage.db import Database
from storage.events import forget_processed_before

# Slack retries within an hour, Telegram keeps an unconfirmed update for a day: a week is ample.
RETENTION = timedelta(days=7)
# How long a deleted activity can be restored (DELETED_RETENTION_DAYS).
DELETED_RETENTION = timedelta(days=30)
# A guided dialogue that ran out is ended (with a notice) by the replica that asked its last question; one still
# here this long after is one whose replica was gone by then.
DIALOGUE_GRACE = timedelta(hours=1)
# A Telegram button's long command stops working BUTTON_LIFETIME after it was last sent (bot.telegram.buttons); it
# is kept this much longer so that a late press is told which command to type, then dropped.
BUTTON_GRACE = timedelta(days=30)


@dataclass(frozen=True)
class Pruned:
    processed: int
    inbox: int
    deleted: int = 0
    dialogues: int = 0
    buttons: int = 0


def prune(db: Database, *, now: datetime, retention: timedelta = RETENTION,
          deleted_retention: timedelta = DELETED_RETENTION) -> Pruned:
    """Drop dedupe marks and handled inbox rows older than ``retention``. Inbox rows not handled yet stay.
    Activities deleted more than ``deleted_retention`` ago leave the archive: /restore can no longer bring them
    back (their history stays). Guided dialogues that ran out over ``DIALOGUE_GRACE`` ago go, and button commands
that expired over ``BUTTON_GRACE`` ago."""
    cutoff = now - retention
    with db.session() as session:
        processed = forget_processed_before(session, cutoff=cutoff)
        handled = inbox.prune_done_before(session, cutoff=cutoff)
        deleted = archive.prune_before(session, cutoff=now - deleted_retention)
        stale = dialogues.prune_expired_before(session, cutoff=now - DIALOGUE_GRACE)
        old_buttons = buttons.prune_expired_before(session, cutoff=now - BUTTON_GRACE)
    return Pruned(processed=processed, inbox=handled, deleted=deleted, dialogues=stale, buttons=old_buttons)
