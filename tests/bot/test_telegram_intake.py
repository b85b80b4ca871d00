"""What the Telegram intake keeps in order: a chat's messages, and each person's reactions — while different
people's reactions on one busy card are handled at once (their votes are independent of each other)."""

from __future__ import annotations

import json

from sqlmodel import select
from telegram import Bot, Update

from bot.telegram.intake import chat_key
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
