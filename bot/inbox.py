"""Event dedupe, one path for every door: what a platform delivers is checked against its delivery id.

Platforms deliver at least once: Slack retries an event it thinks we missed (same ``event_id``), Telegram
sends an update again after a restart before its offset was confirmed or on a webhook retry (same
``update_id``). A door hands each delivery's id here before acting on it, and a repeat is dropped — also
across restarts and processes, because the ids are kept in the database (:mod:`storage.events`).

This is the one place a door decides "seen before?", so a durable inbox (store first, acknowledge after the
commit, work it off later) replaces these two methods without touching the doors' handling.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session

from handlers.core import Platform, Reply
from handlers.router import PlatformEvent, Router, event_names
from storage import inbox
from storage.events import mark_processed
from storage.writer import Writer, writer_for

log = logging.getLogger(f"devrelbot.{__name__}")

UNAVAILABLE = (OperationalError, PoolTimeout)  # the database locked past its busy timeout, or unreachable


@dataclass
class StoredRow:
    """The durable inbox row whose delivery is being handled (set by the Telegram intake around its handling):
    applying the delivery's events also marks the row done, in the same transaction."""

    item_id: int
    done: bool = False


stored_row: contextvars.ContextVar[StoredRow | None] = contextvars.ContextVar("stored_row", default=None)


class Inbox:
    def __init__(self, router: Router, platform: Platform) -> None:
        self.router = router
        self.platform = platform

    @property
    def writer(self) -> Writer:
        """The database's one group-commit writer: an event's await ends when its batch has committed."""
        return writer_for(self.router.db)

    async def first_time(self, delivery_id: str | None) -> bool:
        """Record the delivery; True the first time (or when it has no id), False for a repeat.

        When the database is locked or away the delivery is let through: the command then gets the router's
        "try again in a moment" instead of being dropped unanswered."""
        if not delivery_id:
            return True

        def mark() -> bool:
            with self.router.db.session() as session:
                return mark_processed(session, platform=self.platform, event_id=delivery_id)

        try:
            first = await asyncio.to_thread(mark)
        except DBAPIError as error:
            log.warning("could not check %s delivery %s for a repeat: %s", self.platform, delivery_id,
                        type(error).__name__)
            return True
        if not first:
            log.debug("%s delivery %s already handled", self.platform, delivery_id)
        return first

    async def apply(self, events: Sequence[PlatformEvent], delivery_id: str | None) -> list[Reply]:
        """Apply platform events (reactions, say) with their delivery id recorded in the same transaction:
        a repeat changes nothing, and a delivery that failed is not marked as handled. A locked or unreachable
        database raises (``OperationalError``): the door must not acknowledge the delivery then."""
        if not self.router.handles(events):
            return []
        once = (self.platform, delivery_id) if delivery_id else None
        row = stored_row.get()

        def apply(session: Session) -> list[Reply]:
            replies = self.router.apply_events(session, events, once=once)
            if row is not None:  # the stored delivery is done in the same commit: one transaction, not two
                inbox.mark_done(session, item_ids=[row.item_id])
            return replies

        try:
            replies = await self.writer.submit(apply)
        except UNAVAILABLE:
            raise
        except Exception:  # this delivery alone failed (its neighbours in the batch were stored without it)
            log.exception("handling %s failed", event_names(events))
            return []
        if row is not None:
            row.done = True
        return replies
