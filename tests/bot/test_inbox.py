"""The one dedupe path of the doors: a platform's delivery id is let through once, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import time
from types import SimpleNamespace

from sqlalchemy.exc import OperationalError

from bot.inbox import DurableInbox, Inbox
from handlers.core import ChatRef, ReactionEvent, UserRef
from handlers.router import EventRequest, Registry, Router
from storage import inbox as stored
from storage.db import Database
from storage.models import InboxItem
from tests.doors import eventually

CHAT = ChatRef(platform="slack", chat_id="C1", workspace_id="T1")
CAROL = UserRef(platform="slack", user_id="UCAROL", display_name="carol")


async def test_a_delivery_id_gets_through_once_per_platform(any_router):
    slack, telegram = Inbox(any_router, "slack"), Inbox(any_router, "telegram")

    assert await slack.first_time("Ev1") is True
    assert await slack.first_time("Ev1") is False
    assert await telegram.first_time("Ev1") is True  # another platform's ids are another namespace
    assert await slack.first_time(None) is True and await slack.first_time(None) is True  # no id: no dedupe


async def test_events_apply_once_with_their_id_recorded_in_the_same_transaction(any_db, clock):
    seen: list[ReactionEvent] = []
    commands = Registry()

    @commands.on(ReactionEvent)
    def record(req: EventRequest) -> None:
        assert isinstance(req.event, ReactionEvent)
        seen.append(req.event)

    inbox = Inbox(Router(any_db, commands=commands, clock=clock), "slack")
    vote = ReactionEvent(chat=CHAT, message_id="1.2", user=CAROL, emoji="🔥", added=True, event_id="Ev9")

    await inbox.apply([vote], "Ev9")
    await inbox.apply([vote], "Ev9")  # Slack retried it

    assert seen == [vote]
    assert await inbox.first_time("Ev9") is False


async def test_a_locked_database_lets_the_delivery_through_so_the_command_is_answered(caplog):
    def locked() -> None:
        raise OperationalError("INSERT INTO processed_event", {}, Exception("database is locked"))

    inbox = Inbox(SimpleNamespace(db=SimpleNamespace(session=locked)), "telegram")  # type: ignore[arg-type]

    assert await inbox.first_time("42:1") is True
    assert "could not check telegram delivery 42:1 for a repeat: OperationalError" in caplog.text


LEASE = 2.0  # seconds; each replica renews its own every third of it, or sooner (five minutes in production)


def row(db: Database, item_id: int) -> InboxItem:
    with db.reader() as session:
        item = session.get(InboxItem, item_id)
        assert item is not None
        return item


async def test_a_row_a_live_replica_holds_is_left_to_it_and_answered_once_by_another_after_it_died(
    any_db: Database,
):
    """Two replicas on one database. A stored a command, applied it (its answer is kept with the row) and hangs
    sending the answer (a flood-limited chat) for several leases: B's start and its adoptions leave the row alone,
    because A renews its lease. A dies: once its lease ran out, B takes the row over and sends the answer, once."""
    hanging, sent = asyncio.Event(), []

    async def replica_a(item: stored.Stored) -> bool:
        hanging.set()
        await asyncio.Event().wait()  # the platform never answers: A is still on it when it dies
        return False

    async def replica_b(item: stored.Stored) -> bool:
        sent.append(item.answer)
        return False

    a = DurableInbox(any_db, "telegram", replica_a, owner="replica-a")
    b = DurableInbox(any_db, "telegram", replica_b, owner="replica-b")
    async with contextlib.AsyncExitStack() as a_lives, b.running(grace=0, adopt_every=0.05, adopt_after=LEASE):
        await a_lives.enter_async_context(a.running(grace=0, adopt_every=0.05, adopt_after=LEASE))
        [item] = await a.accept([stored.Delivery("1:7", "c-1", "{}")])
        with any_db.session() as session:  # what A's handling did: the command applied, its answer kept
            stored.keep_answer(session, item_id=item.item_id, answer='[{"text": "Logged"}]')
        await hanging.wait()
        await asyncio.sleep(LEASE * 2.5)  # several leases; B looked every 50 ms meanwhile
        assert await b.resume() == 0
        assert sent == []
        held = row(any_db, item.item_id)
        assert held.claimed_by == "replica-a" and held.done_at is None

        await a_lives.aclose()  # A stops without finishing, as a killed one would: nobody renews its lease now
        died = time.monotonic()
        await eventually(lambda: sent, timeout=LEASE * 5)
        assert time.monotonic() - died > LEASE / 4  # not before the lease A renewed last ran out
        await eventually(lambda: row(any_db, item.item_id).done_at is not None)
        await asyncio.sleep(0.3)  # B keeps adopting: the row is done, nothing goes out again

    assert sent == ['[{"text": "Logged"}]']
    assert row(any_db, item.item_id).claimed_by == "replica-b"
