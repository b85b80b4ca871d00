"""A vote is converted straight from the update's JSON (the door's hot path): it must mean what the same update
means when python-telegram-bot parses it (``convert.reaction_events`` / ``convert.poll_answer``), and go to the
same queue (``intake.chat_key``)."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Bot, Update

from bot.telegram import convert
from bot.telegram.intake import chat_key
from tests.fakes.telegram_api import GROUP_ID, TOKEN, message_update, reaction_update, tg_chat, tg_user

CARD = 77
CAROL = {"id": 11, "is_bot": False, "first_name": "Carol", "last_name": "Lee"}  # no username: the full name
PAID = {"type": "paid"}


def custom(emoji_id: str) -> dict[str, Any]:
    return {"type": "custom_emoji", "custom_emoji_id": emoji_id}


def reaction(old: list[dict[str, Any]], new: list[dict[str, Any]], **who: Any) -> dict[str, Any]:
    return {"message_reaction": {"chat": tg_chat(GROUP_ID), "message_id": CARD, "date": 1, "old_reaction": old,
                                 "new_reaction": new, **who}}


def emoji(*chars: str) -> list[dict[str, Any]]:
    return [{"type": "emoji", "emoji": c} for c in chars]


VOTES = {
    "added": reaction_update(CARD, tg_user(10, "bob"), [], ["🔥"]),
    "switched": reaction_update(CARD, tg_user(10, "bob"), ["🔥"], ["👍"]),
    "several": reaction_update(CARD, tg_user(10, "bob", "ru"), ["🔥", "😐"], ["😐", "👍", "👎"]),
    "withdrawn": reaction_update(CARD, tg_user(10, "bob"), ["🔥"], []),
    "full name": reaction(emoji("🔥"), emoji("👍"), user=CAROL),
    "first name only": reaction([], emoji("👍"), user={"id": 12, "is_bot": False, "first_name": "Dan"}),
    "a bot": reaction([], emoji("👍"), user={"id": 13, "is_bot": True, "first_name": "Helper"}),
    "anonymous admin": reaction([], emoji("🔥"), actor_chat=tg_chat(GROUP_ID)),
    "custom and paid": reaction([custom("5368")], [PAID, *emoji("🔥"), custom("5369")], user=CAROL),
    "nothing changed": reaction(emoji("🔥"), emoji("🔥"), user=CAROL),
    "private chat": {"message_reaction": {**reaction([], emoji("🔥"), user=CAROL)["message_reaction"],
                                          "chat": tg_chat(11)}},
    "poll answer": {"poll_answer": {"poll_id": "5001", "user": tg_user(10, "bob"), "option_ids": [0, 2],
                                    "option_persistent_ids": ["a", "c"]}},
    "poll answer withdrawn": {"poll_answer": {"poll_id": "5001", "user": CAROL, "option_ids": [],
                                              "option_persistent_ids": []}},
    "poll answer of a chat": {"poll_answer": {"poll_id": "5001", "voter_chat": tg_chat(GROUP_ID),
                                              "option_ids": [1], "option_persistent_ids": ["b"]}},
}


@pytest.mark.parametrize("data", VOTES.values(), ids=VOTES.keys())
def test_a_vote_from_its_json_means_what_the_parsed_update_means(data: dict[str, Any]):
    data = {"update_id": 4242, **data}
    update = Update.de_json(data, Bot(TOKEN))

    if update.message_reaction is not None:
        meant: list[Any] = convert.reaction_events(update.update_id, update.message_reaction)
    else:
        assert update.poll_answer is not None
        meant = [convert.poll_answer(update.update_id, update.poll_answer)]

    assert convert.vote_events(data) == (meant, chat_key(update))


def test_any_other_update_is_no_vote():
    assert convert.vote_events({"update_id": 1, **message_update("/list")}) is None


def test_an_update_not_as_documented_is_refused_for_the_parsed_way():
    with pytest.raises((KeyError, TypeError)):
        convert.vote_events({"update_id": "7", **VOTES["added"]})
    with pytest.raises((KeyError, TypeError)):
        convert.vote_events({"update_id": 7, "message_reaction": {"message_id": 1}})
