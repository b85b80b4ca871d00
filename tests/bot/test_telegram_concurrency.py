"""No chat stalls another: Telegram updates of different chats are handled at the same time, one chat's in order,
and a chat held back by its flood limit (20 messages a minute in a group) waits alone."""

from __future__ import annotations

import re
import time

from tests.doors import eventually, make_telegram_door, running
from tests.fakes.telegram_api import message_update

BUSY, QUIET = -1001, -1002


def sent_to(fake, chat_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.text for c in fake.calls_to("sendMessage") if c.chat_id == chat_id]


async def test_a_chat_held_by_its_flood_limit_does_not_delay_another_chat(fake_telegram, router):
    async with running(make_telegram_door(fake_telegram, router)):
        for n in range(26):
            fake_telegram.push(message_update(f"/help {n}" if n else "/help", chat_id=BUSY))
        await eventually(lambda: len(sent_to(fake_telegram, BUSY)) >= 20, timeout=20)  # its 20 a minute, used
        started = time.monotonic()
        fake_telegram.push(message_update("/help", chat_id=QUIET))
        await eventually(lambda: bool(sent_to(fake_telegram, QUIET)), timeout=10)
        waited = time.monotonic() - started
        busy_done = len(sent_to(fake_telegram, BUSY))

    assert waited < 2.0, f"the quiet chat waited {waited:.1f} s behind the busy one"
    assert busy_done < 26  # the busy chat was still waiting out its limit


async def test_one_chats_updates_are_handled_in_order(fake_telegram, router):
    async with running(make_telegram_door(fake_telegram, router)):
        for n in range(1, 6):
            fake_telegram.push(message_update(f'/log talk "T{n}" @ Conf 2026-11-20', chat_id=BUSY))
        await eventually(lambda: len(sent_to(fake_telegram, BUSY)) == 5, timeout=20)
    logged = [re.search(r"#(\d+)\D+(T\d)", text) for text in sent_to(fake_telegram, BUSY)]
    assert [(int(m.group(1)), m.group(2)) for m in logged if m] == [(n, f"T{n}") for n in range(1, 6)]
