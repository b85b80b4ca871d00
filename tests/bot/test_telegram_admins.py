"""Who is an admin on Telegram: the group's administrators and creator (getChatMember, asked again when the
answer is a few minutes old) and anonymous admins posting as the group; a survey joins no one to a team."""

from __future__ import annotations

import time
from typing import Any

from sqlmodel import select

from bot.roles import RoleCache
from storage.models import Member, Team
from tests.fakes.telegram_api import (
    ALICE_ID,
    BOB_ID,
    GROUP_ID,
    FakeBotApi,
    message_update,
    tg_chat,
)

HIRE_ID = 4004


async def say(fake: FakeBotApi, update: dict[str, Any], *, replies: int = 1) -> list[str]:
    before = len(fake.calls_to("sendMessage"))
    fake.push(update)
    sent = await fake.wait_for("sendMessage", before + replies)
    return [c.text for c in sent[before:]]


def timezone(db) -> str:
    with db.session() as s:
        return s.exec(select(Team)).one().timezone


async def test_a_survey_does_not_hand_a_strangers_private_chat_to_the_asking_team(
    telegram_door, fake_telegram: FakeBotApi, db
):
    await say(fake_telegram, message_update('/log talk "Team talk" @ Conf 2026-11-20'))
    await say(fake_telegram, message_update(f"/survey hire {HIRE_ID}"), replies=2)  # the DM and the confirmation
    await say(fake_telegram, message_update('/log talk "Hijacked?" @ Conf 2026-11-21', chat_id=HIRE_ID,
                                            user_id=HIRE_ID, username="newbie"))
    (listed,) = await say(fake_telegram, message_update("/list all"))

    assert "Team talk" in listed and "Hijacked?" not in listed
    with db.session() as s:
        group_team = s.exec(select(Member).where(Member.user_id == str(ALICE_ID))).one().team_id
        assert s.exec(select(Member).where(Member.team_id == group_team, Member.user_id == str(HIRE_ID))).first() \
            is None


async def test_group_administrators_are_admins_and_others_are_not(telegram_door, fake_telegram: FakeBotApi, db):
    fake_telegram.admins[GROUP_ID] = {ALICE_ID}
    (refused,) = await say(fake_telegram, message_update("/settings timezone=Asia/Tokyo", user_id=BOB_ID,
                                                         username="bob"))
    (changed,) = await say(fake_telegram, message_update("/settings timezone=Europe/Berlin"))

    assert "Only a team admin" in refused and "Settings changed" in changed
    assert timezone(db) == "Europe/Berlin"
    asked = {(int(c.params["chat_id"]), int(c.params["user_id"])) for c in fake_telegram.calls_to("getChatMember")}
    assert asked == {(GROUP_ID, BOB_ID), (GROUP_ID, ALICE_ID)}


async def test_an_anonymous_admin_posting_as_the_group_is_an_admin(telegram_door, fake_telegram: FakeBotApi, db):
    update = message_update("/settings timezone=Europe/Berlin")
    anonymous = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
    update["message"]["from"] = anonymous
    update["message"]["sender_chat"] = tg_chat(GROUP_ID)

    (changed,) = await say(fake_telegram, update)

    assert "Settings changed" in changed and timezone(db) == "Europe/Berlin"


async def test_the_platforms_answer_is_kept_a_few_minutes_then_asked_again(
    telegram_door, fake_telegram: FakeBotApi, db
):
    now = [time.monotonic()]
    telegram_door.updates.roles = RoleCache(ttl=300, clock=lambda: now[0])
    fake_telegram.admins[GROUP_ID] = {ALICE_ID}
    await say(fake_telegram, message_update("/settings timezone=Europe/Berlin"))
    await say(fake_telegram, message_update("/settings timezone=Europe/Paris"))
    assert len(fake_telegram.calls_to("getChatMember")) == 1  # the second command used the kept answer

    fake_telegram.admins[GROUP_ID] = set()  # alice is no longer an administrator of the group
    now[0] += 301
    (refused,) = await say(fake_telegram, message_update("/settings timezone=Asia/Tokyo"))

    assert len(fake_telegram.calls_to("getChatMember")) == 2
    assert "Only a team admin" in refused and timezone(db) == "Europe/Paris"


def test_the_role_cache_is_bounded():
    import asyncio

    cache = RoleCache(size=2)

    async def ask() -> bool:
        return True

    async def fill() -> None:
        for key in ("a", "b", "c"):
            await cache.is_admin(key, ask)

    asyncio.run(fill())
    assert len(cache) == 2
