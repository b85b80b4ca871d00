"""/ask through the Telegram door and the fake Bot API: a native poll with the options in each linked community
group, named answers from both groups merged into one result, and /ask close stopping both polls and posting the
result in the chat that asked; one person's answers arriving out of order end in their newest."""

from __future__ import annotations

import asyncio
import random

import aiohttp
from sqlmodel import select

from storage.models import CommunityMember, CommunityPollAnswer, CommunityPollPost
from tests.bot.test_telegram_feedback import say
from tests.doors import eventually, make_telegram_door, running
from tests.fakes.telegram_api import ALICE_ID, BOB_ID, GROUP_ID, message_update, tg_user

COMMUNITY_GROUPS = (-100201, -100202)


def posts(db) -> list[CommunityPollPost]:
    with db.session() as s:
        return list(s.exec(select(CommunityPollPost)))


async def link_community_groups(fake) -> None:
    fake.admins[GROUP_ID] = {ALICE_ID}
    for group in COMMUNITY_GROUPS:
        fake.admins[group] = {BOB_ID}
        answer = await say(fake, "/connect telegram community")
        code = answer.split("Link code: ")[1].split()[0].removeprefix("<b>").removesuffix("</b>")
        assert "community chat" in await say(fake, f"/connect {code}", user_id=BOB_ID, username="bob", chat_id=group)


async def test_ask_everywhere_sends_native_polls_merges_both_groups_and_close_stops_them(
    telegram_door, fake_telegram, db
):
    await link_community_groups(fake_telegram)
    fake_telegram.push(message_update(
        '/ask "What should the next meetup be about?" Kubernetes | Rust | Postgres multi public everywhere'))
    sent = await fake_telegram.wait_for("sendPoll", 2)
    assert sorted(c.chat_id for c in sent) == sorted(COMMUNITY_GROUPS)
    for call in sent:
        assert call.params["question"] == "What should the next meetup be about?"
        assert [o if isinstance(o, str) else o["text"] for o in call.json("options")] == [
            "Kubernetes", "Rust", "Postgres"]
        assert call.params["is_anonymous"] == "false" and call.params["allows_multiple_answers"] == "true"
    await eventually(lambda: len(posts(db)) == 2 and all(p.native_poll_id for p in posts(db)))
    native = {int(p.chat_id): p.native_poll_id for p in posts(db)}

    def answer(group: int, user_id: int, options: list[int]) -> dict:
        return {"poll_answer": {"poll_id": native[group], "user": tg_user(user_id, f"user{user_id}"),
                                "option_ids": options, "option_persistent_ids": [f"o{i}" for i in options]}}

    fake_telegram.push(answer(COMMUNITY_GROUPS[0], 3001, [0, 2]))
    fake_telegram.push(answer(COMMUNITY_GROUPS[1], 3002, [0]))
    fake_telegram.push(answer(COMMUNITY_GROUPS[1], 3003, [1]))

    def member_count() -> int:
        with db.session() as s:
            return len(s.exec(select(CommunityMember)).all())

    await eventually(lambda: member_count() == 3)
    results = await say(fake_telegram, "/ask results 1")
    assert "Kubernetes — 2 (67%)" in results and "Rust — 1 (33%)" in results and "Postgres — 1 (33%)" in results
    assert "3 people answered · in 2 chats · several answers each" in results

    closed = await say(fake_telegram, "/ask close 1")
    stops = await fake_telegram.wait_for("stopPoll", 2)
    assert sorted(int(c.params["chat_id"]) for c in stops) == sorted(COMMUNITY_GROUPS)
    assert "Poll #1 is closed" in closed and "Kubernetes — 2 (67%)" in closed
    assert fake_telegram.calls_to("sendMessage")[-1].chat_id == GROUP_ID  # the result went where it was asked


async def test_poll_answers_posted_to_the_webhook_out_of_order_end_in_each_persons_newest(fake_telegram, router, db):
    """A poll_answer update carries no date: its update id is the order. Telegram's webhook posts over several
    connections, so one person's quick changes can arrive shuffled; the newest update id decides each answer."""
    settings = {"telegram_webhook_url": "https://bot.example.com/tg/hook", "telegram_webhook_secret": "s3cret_TOKEN"}
    door = make_telegram_door(fake_telegram, router, settings=settings, webhook_host="127.0.0.1", webhook_port=0)
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret_TOKEN"}
    async with running(door), aiohttp.ClientSession() as http:
        url = f"http://127.0.0.1:{door.bound_port}/tg/hook"
        line = '/ask "Next meetup?" Kubernetes | Rust | Postgres public'
        await http.post(url, json={"update_id": 500, **message_update(line)}, headers=headers)
        await fake_telegram.wait_for("sendPoll")
        await eventually(lambda: bool(posts(db)) and posts(db)[0].native_poll_id is not None)
        native = posts(db)[0].native_poll_id
        # Each person: Kubernetes, then Rust, then takes it back; every other one then Postgres.
        changes = [[0], [1], [], [2]]
        people = [tg_user(9000 + n, f"p{n}") for n in range(12)]
        updates = [
            {"update_id": 1000 + step * 100 + n,
             "poll_answer": {"poll_id": native, "user": person, "option_ids": options,
                             "option_persistent_ids": [f"o{i}" for i in options]}}
            for n, person in enumerate(people)
            for step, options in enumerate(changes[: 4 if n % 2 else 3])
        ]
        random.Random(11).shuffle(updates)
        answers = await asyncio.gather(*(http.post(url, json=u, headers=headers) for u in updates))
        assert {a.status for a in answers} == {200}
        await eventually(lambda: door.intake is not None and door.intake.workers.busy == 0)
    with db.session() as s:
        stored = {(a.voter, a.option) for a in s.exec(select(CommunityPollAnswer))}
    assert stored == {(f"telegram:{p['id']}", 2) for n, p in enumerate(people) if n % 2}


async def test_a_linked_group_keeps_its_title_and_ask_in_posts_only_in_the_groups_named(
    telegram_door, fake_telegram, db
):
    fake_telegram.admins[GROUP_ID] = {ALICE_ID}
    for group, title in zip(COMMUNITY_GROUPS, ("Go community", "Rust RU"), strict=True):
        fake_telegram.admins[group] = {BOB_ID}
        answer = await say(fake_telegram, "/connect telegram community")
        code = answer.split("Link code: ")[1].split()[0].removeprefix("<b>").removesuffix("</b>")
        update = message_update(f"/connect {code}", user_id=BOB_ID, username="bob", chat_id=group)
        update["message"]["chat"]["title"] = title
        before = len(fake_telegram.calls_to("sendMessage"))
        fake_telegram.push(update)
        assert "community chat" in (await fake_telegram.wait_for("sendMessage", before + 1))[before].params["text"]

    listed = await say(fake_telegram, "/ask chats")
    assert "Go community (Telegram -100201)" in listed and "Rust RU (Telegram -100202)" in listed
    refused = await say(fake_telegram, '/ask "Next meetup?" Kubernetes | Rust in #rust-ru, #python')
    assert "“#python”: not a community chat of this team" in refused and "Go community" in refused
    assert fake_telegram.calls_to("sendPoll") == []  # nothing posted when one name is wrong

    fake_telegram.push(message_update('/ask "Next meetup?" Kubernetes | Rust in #rust-ru'))
    await fake_telegram.wait_for("sendPoll")
    fake_telegram.push(message_update("/ask results 1"))  # this chat's commands run in order: /ask is done then
    await eventually(lambda: any("Poll #1 so far" in c.params["text"] for c in fake_telegram.calls_to("sendMessage")))
    (sent,) = fake_telegram.calls_to("sendPoll")
    assert sent.chat_id == COMMUNITY_GROUPS[1]
    assert [o if isinstance(o, str) else o["text"] for o in sent.json("options")] == ["Kubernetes", "Rust"]
