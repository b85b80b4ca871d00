"""What the Telegram intake keeps in order: a chat's messages, and each person's reactions — while different
people's reactions on one busy card are handled at once (their votes are independent of each other)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, select
from telegram import Bot, Update

from bot.telegram.intake import Intake, chat_key
from handlers.core import Reply
from handlers.router import PlatformEvent
from storage.db import Database
from storage.models import InboxItem
from tests.doors import eventually
from tests.fakes.telegram_api import TOKEN, message_update, reaction_update, tg_user


def update(data: dict, update_id: int = 1) -> Update:
    return Update.de_json({"update_id": update_id, **data}, Bot(TOKEN))


def test_a_chats_messages_share_one_queue():
    assert chat_key(update(message_update("/list", user_id=1))) == chat_key(update(message_update("/stats", user_id=2)))


def test_reactions_are_queued_per_person_so_one_busy_card_is_not_handled_one_vote_at_a_time():
    carol, dave = tg_user(11, "carol"), tg_user(12, "dave")
    first = chat_key(update(reaction_update(7, carol, [], ["🔥"])))
    again = chat_key(update(reaction_update(7, carol, ["🔥"], ["👍"])))
    other = chat_key(update(reaction_update(7, dave, [], ["🔥"])))

    assert first == again  # one person's votes stay in order
    assert first != other
    assert first != chat_key(update(message_update("/show 1", user_id=11)))


async def test_the_inbox_keeps_each_update_as_telegram_sent_it(telegram_door, fake_telegram, db):
    """Stored as it came (the getUpdates request keeps the JSON), not serialised again from the parsed update —
    which would, for one, drop the empty ``old_reaction`` of a first vote."""
    sent = reaction_update(7, tg_user(11, "carol"), [], ["🔥"])
    fake_telegram.push(sent)

    def stored() -> list[InboxItem]:
        with db.reader() as session:
            return list(session.exec(select(InboxItem)).all())

    await eventually(lambda: bool(stored()))
    assert [json.loads(item.payload) for item in stored()] == [sent]


# --- votes applied as they are stored ---------------------------------------------------------------------------


class Recorded:
    """The door's vote handling, recorded: what ``apply_votes`` was given, in which transaction's order;
    ``fail_on``: the update whose vote raises (a bug in a handler)."""

    def __init__(self, fail_on: int | None = None) -> None:
        self.applied: list[int] = []
        self.fail_on = fail_on

    def apply_votes(self, session: Session, events: Sequence[PlatformEvent], delivery_id: str) -> list[Reply]:
        update_id = int(delivery_id.rsplit(":", 1)[1])
        if update_id == self.fail_on:
            raise RuntimeError("a bug in a vote's handler")
        self.applied.append(update_id)
        return []

    async def answer_votes(self, events: Sequence[PlatformEvent], replies: list[Reply]) -> None:
        raise AssertionError("no replies were made")


class QueuedApp:
    """What the intake needs of PTB's Application: a bot to parse updates with, and ``process_update`` — here it
    records the updates the queues handed it, and waits while ``held`` is clear."""

    def __init__(self) -> None:
        self.bot = Bot(TOKEN)
        self.handled: list[int] = []
        self.held = asyncio.Event()
        self.held.set()

    async def process_update(self, update: Update) -> None:
        await self.held.wait()
        self.handled.append(update.update_id)


def intake_for(db: Database, votes: Recorded) -> tuple[Intake, QueuedApp]:
    app = QueuedApp()
    return Intake(db, app, delivery_prefix=lambda: "42", votes=votes), app  # type: ignore[arg-type]


def fetched(*updates: tuple[int, dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    data = [{"update_id": update_id, **update} for update_id, update in updates]
    return data, [json.dumps(d) for d in data]


def rows(db: Database) -> dict[str, bool]:
    """Each stored update's delivery id → whether it is done."""
    with db.reader() as session:
        return {item.delivery_id: item.done_at is not None for item in session.exec(select(InboxItem)).all()}


CAROL, DAVE = tg_user(11, "carol"), tg_user(12, "dave")


def answer(user: dict[str, Any]) -> dict[str, Any]:
    return {"poll_answer": {"poll_id": "p-1", "user": user, "option_ids": [1], "option_persistent_ids": ["b"]}}


async def test_a_batchs_votes_are_applied_in_order_in_the_transaction_that_stores_them(db):
    votes = Recorded()
    intake, app = intake_for(db, votes)

    await intake.accept(*fetched((1, reaction_update(7, CAROL, [], ["🔥"])), (2, message_update("/list")),
                                 (3, reaction_update(7, CAROL, ["🔥"], ["👍"])), (4, answer(DAVE))))

    assert votes.applied == [1, 3, 4]  # before the offset could be confirmed: accept returned
    assert rows(db) == {"42:1": True, "42:2": False, "42:3": True, "42:4": True}  # the command is queued
    await intake.workers.join()
    assert app.handled == [2]


async def test_a_redelivered_vote_is_not_applied_again(db):
    votes = Recorded()
    intake, _app = intake_for(db, votes)
    batch = fetched((1, reaction_update(7, CAROL, [], ["🔥"])), (2, answer(DAVE)))

    await intake.accept(*batch)
    await intake.accept(*batch)  # its confirmation got lost: Telegram sends the batch again

    assert votes.applied == [1, 2]


async def test_a_vote_waits_behind_its_queue(db):
    """A voter whose queue has work waiting (a retry, what the last stop left, an earlier update of the same
    batch) is not overtaken: the vote is queued behind it and handled by the queue, in order."""
    votes = Recorded()
    intake, app = intake_for(db, votes)
    app.held.clear()
    pressed = callback_update_without_message(DAVE)  # no chat: queued as the person's, like their poll answers
    await intake.accept(*fetched((1, pressed), (2, answer(DAVE)), (3, reaction_update(7, CAROL, [], ["🔥"]))))
    await intake.accept(*fetched((4, answer(DAVE))))

    assert votes.applied == [3]  # carol's queue was empty
    app.held.set()
    await intake.workers.join()
    assert app.handled == [1, 2, 4]
    assert rows(db) == {"42:1": True, "42:2": True, "42:3": True, "42:4": True}


async def test_a_batch_whose_vote_fails_is_stored_and_handled_update_by_update(db):
    """A bug in one vote's handler rolls back the batch's transaction: the batch is then stored as any updates
    are, queued, and handled one at a time (where the failing one is logged) — never left unconfirmed."""
    votes = Recorded(fail_on=2)
    intake, app = intake_for(db, votes)

    await intake.accept(*fetched((1, reaction_update(7, CAROL, [], ["🔥"])), (2, answer(DAVE)),
                                 (3, reaction_update(7, DAVE, [], ["👍"]))))

    assert rows(db) == {"42:1": False, "42:2": False, "42:3": False}  # the vote of 1 was rolled back with it
    await intake.workers.join()
    assert sorted(app.handled) == [1, 2, 3]


def callback_update_without_message(user: dict[str, Any]) -> dict[str, Any]:
    """A button pressed under an inline message: the update has no chat."""
    return {"callback_query": {"id": "cb-1", "from": user, "chat_instance": "ci", "inline_message_id": "im-1",
                               "data": "x"}}
