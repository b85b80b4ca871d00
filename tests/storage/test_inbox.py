"""The durable inbox: a delivery is stored once, stays pending until marked done, and is pruned only when done."""

from __future__ import annotations

from datetime import timedelta

from storage import inbox
from storage.db import Database
from storage.models import utcnow


def test_a_redelivery_is_stored_once_and_pending_until_done(any_db: Database):
    first = [inbox.Delivery("1:10", "c-1", '{"update_id": 10}'), inbox.Delivery("1:11", "c-2", '{"update_id": 11}')]
    with any_db.session() as session:
        stored = inbox.store(session, platform="telegram", deliveries=first)
    assert [s.delivery_id for s in stored] == ["1:10", "1:11"]
    with any_db.session() as session:  # Telegram sends 10 again (its offset was not confirmed) and a new 12
        again = inbox.store(session, platform="telegram", deliveries=[first[0], inbox.Delivery("1:12", "c-1", "{}")])
    assert [s.delivery_id for s in again] == ["1:12"]

    with any_db.session() as session:
        inbox.mark_done(session, item_ids=[stored[0].item_id])
    with any_db.reader() as session:
        left = inbox.pending(session, platform="telegram")
        assert [s.delivery_id for s in left] == ["1:11", "1:12"]
        assert inbox.pending(session, platform="slack") == []
        assert inbox.pending(session, platform="telegram", after_id=left[0].item_id) == left[1:]


def test_only_done_rows_are_pruned(any_db: Database):
    with any_db.session() as session:
        a, b = inbox.store(session, platform="slack", deliveries=[inbox.Delivery("Ev1", "C1", "{}"),
                                                                  inbox.Delivery("Ev2", "C1", "{}")])
        inbox.mark_done(session, item_ids=[a.item_id])
    with any_db.session() as session:
        assert inbox.prune_done_before(session, cutoff=utcnow() - timedelta(days=1)) == 0  # too recent
        assert inbox.prune_done_before(session, cutoff=utcnow() + timedelta(seconds=1)) == 1
    with any_db.reader() as session:
        assert [s.delivery_id for s in inbox.pending(session, platform="slack")] == ["Ev2"]


def test_a_row_is_claimed_by_one_replica_until_its_lease_runs_out(any_db: Database):
    with any_db.session() as session:  # replica A stored it: A holds it from the INSERT on
        [row] = inbox.store(session, platform="slack", deliveries=[inbox.Delivery("Ev1", "C1", "{}")],
                            owner="a", lease=timedelta(minutes=5))
        [free] = inbox.store(session, platform="slack", deliveries=[inbox.Delivery("Ev2", "C1", "{}")])
    with any_db.session() as session:
        assert [s.item_id for s in inbox.claim(session, platform="slack", owner="b", lease=timedelta(minutes=5))] \
            == [free.item_id]  # A's is left to A; one nobody holds is taken
        assert inbox.claim(session, platform="slack", owner="b", lease=timedelta(minutes=5),
                           after_id=free.item_id) == []
        # A's claim renewed its own only, here to a lease that ran out a second ago (A died since: time passed)
        assert [s.item_id for s in inbox.claim(session, platform="slack", owner="a",
                                               lease=timedelta(seconds=-1))] == [row.item_id]
    with any_db.session() as session:  # B takes A's over (and its own again)
        taken = inbox.claim(session, platform="slack", owner="b", lease=timedelta(minutes=5))
        assert [s.item_id for s in taken] == [row.item_id, free.item_id]
        assert inbox.claim(session, platform="slack", owner="a", lease=timedelta(minutes=5)) == []
        inbox.mark_done(session, item_ids=[row.item_id, free.item_id])
    with any_db.session() as session:
        assert inbox.claim(session, platform="slack", owner="a", lease=timedelta(minutes=5)) == []


def test_a_new_telegram_poller_takes_the_rows_the_old_one_held_at_once(any_db: Database):
    """Only the poller stores updates, and its lock is free only once it is gone: its rows need not wait out their
    lease (bot.telegram.door)."""
    with any_db.session() as session:
        [row] = inbox.store(session, platform="telegram", deliveries=[inbox.Delivery("1:1", "c-1", "{}")],
                            owner="old-leader", lease=timedelta(minutes=5))
    with any_db.session() as session:
        assert inbox.claim(session, platform="telegram", owner="new-leader", lease=timedelta(minutes=5)) == []
        [taken] = inbox.claim(session, platform="telegram", owner="new-leader", lease=timedelta(minutes=5),
                              held_or_not=True)
        assert taken.item_id == row.item_id
    with any_db.session() as session:  # the new leader holds it now
        assert inbox.claim(session, platform="telegram", owner="old-leader", lease=timedelta(minutes=5)) == []
