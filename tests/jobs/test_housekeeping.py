"""Dedupe marks and handled inbox rows are pruned after the retention period; unhandled inbox rows never are."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from jobs.housekeeping import RETENTION, prune
from storage import inbox
from storage.db import Database
from storage.events import mark_processed
from storage.models import InboxItem, ProcessedEvent, utcnow


def test_old_marks_and_handled_rows_go_and_waiting_rows_stay(any_db: Database):
    with any_db.session() as session:
        mark_processed(session, platform="slack", event_id="Ev1")
        handled, waiting = inbox.store(session, platform="telegram", deliveries=[
            inbox.Delivery("1:1", "c1", "{}"), inbox.Delivery("1:2", "c1", "{}")])
        inbox.mark_done(session, item_ids=[handled.item_id])

    recent = prune(any_db, now=utcnow())
    assert (recent.processed, recent.inbox) == (0, 0)  # all too recent
    later = utcnow() + RETENTION + timedelta(minutes=1)
    pruned = prune(any_db, now=later)

    assert (pruned.processed, pruned.inbox) == (1, 1)
    with any_db.reader() as session:
        assert session.exec(select(ProcessedEvent)).all() == []
        assert [row.delivery_id for row in session.exec(select(InboxItem))] == ["1:2"]  # not handled yet: kept
