"""Replicas: an update another replica acknowledged (stored in the inbox) and never finished — it died — is taken
over by a replica that lives, once its lease ran out; one whose replica still holds its lease is left to it."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import col, select, update

from storage import inbox
from storage.db import Database
from storage.models import Activity, InboxItem, utcnow
from tests.doors import eventually, make_telegram_door, running
from tests.fakes.telegram_api import GROUP_ID, TOKEN, FakeBotApi, message_update

BOT_ID = TOKEN.split(":")[0]


def left_in_the_inbox(db: Database, update_id: int, title: str, *, lease_left: timedelta) -> int:
    """What another replica does before it answers 200: the update stored, held by it for ``lease_left`` more
    (negative: its lease ran out — it died)."""
    payload = {"update_id": update_id, **message_update(f'/log talk "{title}" @ Conf 2026-11-20')}
    with db.session() as session:
        [row] = inbox.store(session, platform="telegram", deliveries=[
            inbox.Delivery(f"{BOT_ID}:{update_id}", f"c{GROUP_ID}", json.dumps(payload))],
            owner="another-replica", lease=timedelta(minutes=5))
        session.exec(update(InboxItem).where(col(InboxItem.id) == row.item_id)
                     .values(claimed_until=utcnow() + lease_left))
    return row.item_id


def titles(db: Database) -> list[str]:
    with db.reader() as session:
        return [a.title for a in session.exec(select(Activity))]


def done(db: Database, item_id: int) -> bool:
    with db.reader() as session:
        item = session.get(InboxItem, item_id)
        return item is not None and item.done_at is not None


async def test_an_update_a_dead_replica_left_waiting_is_taken_over_and_applied_once(
    fake_telegram: FakeBotApi, router, db: Database
):
    door = make_telegram_door(fake_telegram, router, adopt_every=0.1, adopt_after=60.0)
    async with running(door):
        await fake_telegram.wait_for("getUpdates")  # polling: what the inbox held at the start is queued by now
        orphan = left_in_the_inbox(db, 9001, "Left behind", lease_left=timedelta(seconds=-1))
        fresh = left_in_the_inbox(db, 9002, "Still being handled elsewhere", lease_left=timedelta(minutes=4))

        await eventually(lambda: done(db, orphan))
        await fake_telegram.wait_for("sendMessage")

    assert titles(db) == ["Left behind"]
    assert not done(db, fresh)  # its replica's lease has not run out: it is still on it
    assert "Left behind" in fake_telegram.sent_texts()[0]
