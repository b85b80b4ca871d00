"""Feedback through the Telegram door and the fake Bot API: a card and reactions on it, a channel's anonymous
counts, native polls (named and anonymous) closed with /poll close, and the new-hire survey end to end."""

from __future__ import annotations

import asyncio
import random

import aiohttp
from sqlmodel import select

from storage.models import HireSurvey
from tests.doors import cards, eventually, make_telegram_door, running, votes
from tests.fakes.telegram_api import (
    ALICE_ID,
    BOB_ID,
    GROUP_ID,
    callback_update,
    message_update,
    reaction_update,
    tg_chat,
    tg_user,
)

TALK = '/log talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300'



async def say(fake, line: str, *, user_id: int = ALICE_ID, username: str = "alice", chat_id: int = GROUP_ID) -> str:
    """Send a line, wait for the bot's answer and return its text."""
    before = len(fake.calls_to("sendMessage"))
    fake.push(message_update(line, user_id=user_id, username=username, chat_id=chat_id))
    return (await fake.wait_for("sendMessage", before + 1))[before].params["text"]


async def test_reactions_on_the_card_are_votes_and_other_messages_and_bots_do_not_count(
    telegram_door, fake_telegram, db
):
    await say(fake_telegram, TALK)
    card_text = await say(fake_telegram, "/feedback 1")
    assert "Scaling Postgres" in card_text and "🔥 👍 😐 👎" in card_text
    await eventually(lambda: bool(cards(db)) and cards(db)[0].message_id is not None)
    card_id = int(cards(db)[0].message_id)

    alice, bob = tg_user(ALICE_ID, "alice"), tg_user(BOB_ID, "bob")
    helper = {"id": 4242, "is_bot": True, "first_name": "Helper"}
    fake_telegram.push(reaction_update(card_id, alice, [], ["👍🏽"]))  # a skin tone is still 👍
    fake_telegram.push(reaction_update(card_id, bob, [], ["🔥"]))
    fake_telegram.push(reaction_update(card_id, helper, [], ["🔥"]))
    fake_telegram.push(reaction_update(card_id - 1, bob, [], ["👎"]))  # the /log confirmation is no card
    await eventually(lambda: len(votes(db)) == 2)
    fake_telegram.push(reaction_update(card_id, alice, ["👍🏽"], ["😐"]))  # alice changes her mind
    await eventually(lambda: votes(db).get(f"telegram:{ALICE_ID}") == 3)
    fake_telegram.push(reaction_update(card_id, bob, ["🔥"], []))  # bob takes his back
    await eventually(lambda: len(votes(db)) == 1)

    shown = await say(fake_telegram, "/show 1")
    assert "community rating: 3.0 of 5 (1 answer) — 😐 3: 1" in shown


async def test_a_channels_anonymous_counts_are_counted_once(telegram_door, fake_telegram, db):
    await say(fake_telegram, TALK)
    await say(fake_telegram, "/feedback 1")
    await eventually(lambda: bool(cards(db)) and cards(db)[0].message_id is not None)
    counts = {"message_reaction_count": {
        "chat": tg_chat(GROUP_ID), "message_id": int(cards(db)[0].message_id), "date": 1,
        "reactions": [{"type": {"type": "emoji", "emoji": "🔥"}, "total_count": 4},
                      {"type": {"type": "emoji", "emoji": "👎"}, "total_count": 1}],
    }}
    fake_telegram.push(counts)
    fake_telegram.push({**counts})  # the same totals again, as a new update
    shown = await say(fake_telegram, "/show 1")
    assert "community rating: 4.2 of 5 (5 answers) — 🔥 5: 4 · 👎 1: 1" in shown


async def test_a_named_poll_counts_answers_and_close_stops_it_for_good(telegram_door, fake_telegram, db):
    fake_telegram.admins[GROUP_ID] = {ALICE_ID}  # /settings is for admins: alice administers the group
    await say(fake_telegram, TALK)
    await say(fake_telegram, "/settings polls=public")
    fake_telegram.push(message_update("/poll 1"))
    (sent,) = await fake_telegram.wait_for("sendPoll")
    assert sent.params["is_anonymous"] == "false" and "Scaling Postgres" in sent.params["question"]
    assert [o if isinstance(o, str) else o["text"] for o in sent.json("options")] == ["1", "2", "3", "4", "5"]
    await eventually(lambda: bool(cards(db)) and cards(db)[0].poll_id is not None)
    poll_id = cards(db)[0].poll_id

    def answer(user_id: int, options: list[int]) -> dict:
        return {"poll_answer": {"poll_id": poll_id, "user": tg_user(user_id), "option_ids": options,
                                "option_persistent_ids": [f"o{i}" for i in options]}}

    fake_telegram.push(answer(ALICE_ID, [1]))
    fake_telegram.push(answer(BOB_ID, [4]))
    await eventually(lambda: len(votes(db)) == 2)
    fake_telegram.push(answer(ALICE_ID, [3]))  # a changed vote
    await eventually(lambda: votes(db).get(f"telegram:{ALICE_ID}") == 4)

    closed = await say(fake_telegram, "/poll close 1")
    (stop,) = await fake_telegram.wait_for("stopPoll")
    assert "Closed 1 poll" in closed and int(stop.params["message_id"]) == int(cards(db)[0].message_id)
    fake_telegram.push(answer(BOB_ID, [0]))  # too late: the result is final
    shown = await say(fake_telegram, "/show 1")
    assert "community rating: 4.5 of 5 (2 answers)" in shown
    assert votes(db) == {f"telegram:{ALICE_ID}": 4, f"telegram:{BOB_ID}": 5}


async def test_an_anonymous_nps_poll_takes_its_totals_and_the_final_result(telegram_door, fake_telegram, db):
    await say(fake_telegram, TALK)
    fake_telegram.push(message_update("/poll 1 nps"))
    (sent,) = await fake_telegram.wait_for("sendPoll")
    assert sent.params.get("is_anonymous", "true") != "false" and len(sent.json("options")) == 11
    await eventually(lambda: bool(cards(db)) and cards(db)[0].poll_id is not None)
    card = cards(db)[0]

    def poll_update(counts: list[int], closed: bool = False) -> dict:
        return {"poll": {
            "id": card.poll_id, "question": "q", "total_voter_count": sum(counts), "is_closed": closed,
            "is_anonymous": True, "type": "regular", "allows_multiple_answers": False, "allows_revoting": False,
            "members_only": False,
            "options": [{"text": str(i), "voter_count": n, "persistent_id": f"o{i}"} for i, n in enumerate(counts)],
        }}

    fake_telegram.push(poll_update([1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2]))  # 0, 8, 9, 10, 10: +40
    last = fake_telegram.push(poll_update([1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2]))  # the same totals again
    # A poll's totals come without a chat, so they are not ordered with the group's /show: wait for them.
    await eventually(lambda: fake_telegram.confirmed_below > last and telegram_door.intake.workers.busy == 0)
    assert "NPS: +40 (3 promoters, 1 passive, 1 detractor; 5 answers)" in await say(fake_telegram, "/show 1")

    fake_telegram.final_counts[int(card.message_id)] = [1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 5]
    await say(fake_telegram, "/poll close 1")
    await fake_telegram.wait_for("stopPoll")
    # Telegram's final count (three more 10s came in before the stop) is the result; nothing after it counts.
    shown = await say(fake_telegram, "/show 1")
    # (6 - 1) / 8 = 62.5, rounded half-up.
    assert "NPS: +63 (6 promoters, 1 passive, 1 detractor; 8 answers)" in shown
    fake_telegram.push(poll_update([9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))
    assert "NPS: +63" in await say(fake_telegram, "/show 1")


async def test_the_new_hire_survey_end_to_end(telegram_door, fake_telegram, db):
    await say(fake_telegram, TALK)
    await say(fake_telegram, "/list", user_id=BOB_ID, username="bob")  # bob has talked to the bot
    fake_telegram.push(message_update("/survey hire @bob"))
    question, confirmation = (await fake_telegram.wait_for("sendMessage", 4))[2:]
    assert question.chat_id == BOB_ID and "influence your decision to join" in question.params["text"]
    assert [b["text"] for row in question.json("reply_markup")["inline_keyboard"] for b in row] == [
        "Yes", "Partly", "No"]
    assert confirmation.chat_id == GROUP_ID and "Sent the new-hire survey to @bob" in confirmation.params["text"]

    fake_telegram.push(callback_update(question, "Partly", user_id=ALICE_ID, username="alice"))  # not alice's
    fake_telegram.push(callback_update(question, "Partly", user_id=BOB_ID, username="bob"))
    which = (await fake_telegram.wait_for("sendMessage", 6))[5]
    assert which.chat_id == BOB_ID and "Which of these" in which.params["text"]
    fake_telegram.push(callback_update(which, "talk #1: Scaling Postgres", user_id=BOB_ID, username="bob"))
    thanks = (await fake_telegram.wait_for("sendMessage", 7))[6]
    assert "Noted" in thanks.params["text"] and "Scaling Postgres" in thanks.params["text"]
    assert any("someone else" in t for t in fake_telegram.sent_texts(GROUP_ID) + fake_telegram.sent_texts(ALICE_ID)
               + fake_telegram.sent_texts(BOB_ID))

    with db.session() as s:
        (survey,) = s.exec(select(HireSurvey)).all()
    assert (survey.user_id, survey.answer, survey.activity_id) == (str(BOB_ID), "partly", 1)
    stats = await say(fake_telegram, "/stats")
    assert "hiring influence: 100% (1 of 1 answered; 1 surveyed)" in stats


async def test_a_redelivered_reaction_update_is_counted_once(telegram_door, fake_telegram, db):
    """Telegram may deliver an update again (a restart before the offset was confirmed): the vote it cast was
    withdrawn since, and the redelivery must not bring it back."""
    await say(fake_telegram, TALK)
    await say(fake_telegram, "/feedback 1")
    await eventually(lambda: bool(cards(db)) and cards(db)[0].message_id is not None)
    card_id = int(cards(db)[0].message_id)
    bob = tg_user(BOB_ID, "bob")
    first = reaction_update(card_id, bob, [], ["🔥"])
    fake_telegram.push(first)
    await eventually(lambda: votes(db) == {f"telegram:{BOB_ID}": 5})
    fake_telegram.push(reaction_update(card_id, bob, ["🔥"], []))
    await eventually(lambda: votes(db) == {})
    fake_telegram.push({**first})  # the same update_id again
    assert "no answers yet" in await say(fake_telegram, "/show 1")
    assert votes(db) == {}


async def test_reactions_posted_to_the_webhook_out_of_order_end_in_each_persons_newest(fake_telegram, router, db):
    """Telegram's webhook posts over several connections, so a person's quick changes can arrive in any
    order: the update ids say which is newest."""
    settings = {"telegram_webhook_url": "https://bot.example.com/tg/hook", "telegram_webhook_secret": "s3cret_TOKEN"}
    door = make_telegram_door(fake_telegram, router, settings=settings, webhook_host="127.0.0.1", webhook_port=0)
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret_TOKEN"}
    async with running(door), aiohttp.ClientSession() as http:
        url = f"http://127.0.0.1:{door.bound_port}/tg/hook"
        for n, line in enumerate((TALK, "/feedback 1")):
            await http.post(url, json={"update_id": 500 + n, **message_update(line)}, headers=headers)
        await eventually(lambda: bool(cards(db)) and cards(db)[0].message_id is not None)
        card_id = int(cards(db)[0].message_id)
        # Each person: 🔥, then 👍 instead, then nothing, and every other one 👎 at the end.
        changes = [([], ["🔥"]), (["🔥"], ["👍"]), (["👍"], []), ([], ["👎"])]
        people = [tg_user(9000 + n, f"p{n}") for n in range(12)]
        updates = [
            {"update_id": 1000 + step * 100 + n, **reaction_update(card_id, person, old, new)}
            for n, person in enumerate(people)
            for step, (old, new) in enumerate(changes[: 4 if n % 2 else 3])
        ]
        random.Random(7).shuffle(updates)
        answers = await asyncio.gather(*(http.post(url, json=u, headers=headers) for u in updates))
        assert {a.status for a in answers} == {200}
        await eventually(lambda: door.intake is not None and door.intake.workers.busy == 0)
    assert votes(db) == {f"telegram:{p['id']}": 1 for n, p in enumerate(people) if n % 2}
