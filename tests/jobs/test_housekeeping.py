"""Dedupe marks and handled inbox rows are pruned after the retention period; unhandled inbox rows never are.
Guided dialogues that ran out go an hour later; long button commands a month after their buttons expired."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from jobs.housekeeping import BUTTON_GRACE, DIALOGUE_GRACE, RETENTION, prune
from storage import buttons, dialogues, inbox
from storage.db import Database
from storage.dialogues import DialogueKey
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


def test_dialogues_that_ran_out_are_pruned_after_the_grace_and_running_ones_stay(any_db: Database):
    now = utcnow()
    abandoned = DialogueKey("telegram", "-100", None, "1")
    running = DialogueKey("telegram", "-100", "7", "1")  # the same person in a forum topic of the chat
    with any_db.session() as session:
        dialogues.save(session, key=abandoned, state="{}", expires_at=now + timedelta(minutes=10))
        dialogues.save(session, key=running, state="{}", expires_at=now + timedelta(hours=2))

    assert prune(any_db, now=now + timedelta(minutes=30)).dialogues == 0  # ran out, its replica may still tell
    pruned = prune(any_db, now=now + DIALOGUE_GRACE + timedelta(minutes=11))

    assert pruned.dialogues == 1
    with any_db.reader() as session:
        assert dialogues.active(session, now=now) == [running]


def test_button_commands_are_pruned_a_grace_after_they_expired_and_resending_one_keeps_it(any_db: Database):
    now = utcnow()
    old, resent, fresh = "/echo " + "old " * 20, "/echo " + "resent " * 20, "/echo " + "fresh " * 20
    tokens = {command: buttons.token_for(command) for command in (old, resent, fresh)}
    with any_db.session() as session:
        buttons.keep(session, commands={tokens[old]: old, tokens[resent]: resent}, expires_at=now)
        # Sent again later: the same token, one row, its expiry moved on.
        buttons.keep(session, commands={tokens[resent]: resent, tokens[fresh]: fresh},
                     expires_at=now + timedelta(days=20))

    assert prune(any_db, now=now + timedelta(days=1)).buttons == 0  # expired, but a late press may still ask
    pruned = prune(any_db, now=now + BUTTON_GRACE + timedelta(days=1))

    assert pruned.buttons == 1
    with any_db.reader() as session:
        assert buttons.find(session, token=tokens[old]) is None
        kept = buttons.find(session, token=tokens[resent])
        assert kept is not None and kept.command == resent and kept.expires_at == now + timedelta(days=20)
        assert buttons.find(session, token=tokens[fresh]) is not None
