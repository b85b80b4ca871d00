"""/ask through the Telegram door and the fake Bot API: a native poll with the options in each linked community
group, named answers from both groups merged into one result, and /ask close stopping both polls and posting the
result in the chat that asked."""

from __future__ import annotations

from sqlmodel import select

from storage.models import CommunityMember, CommunityPollPost
from tests.bot.test_telegram_feedback import say
from tests.doors import eventually
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
