"""Telegram platform events, webhook mode and the Messenger, against the local fake Bot API."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.telegram.render import MESSAGE_LIMIT, botfather_commands, split_html
from handlers.core import (
    ChatRef,
    DirectTarget,
    Image,
    PollAnswer,
    PollResults,
    PollSpec,
    ReactionCount,
    ReactionEvent,
    Reply,
    UserRef,
)
from handlers.markup import escape
from handlers.router import Registry, Router, registry
from tests.doors import eventually, make_telegram_door, running
from tests.fakes.telegram_api import (
    ALICE_ID,
    GROUP_ID,
    message_update,
    tg_chat,
    tg_user,
)

ROOT = Path(__file__).resolve().parents[2]
GROUP = ChatRef(platform="telegram", chat_id=str(GROUP_ID))


@pytest.fixture
def recorded(db, clock):
    """A router whose event handlers record what reaches them (the feedback issue gives them meaning)."""
    commands = Registry()
    seen: list[object] = []

    def record(req):
        seen.append(req.event)
        if isinstance(req.event, ReactionEvent) and req.event.added:
            return Reply(f"thanks for the {req.event.emoji}")
        return None

    for event_type in (ReactionEvent, ReactionCount, PollAnswer, PollResults):
        commands.on(event_type)(record)
    return Router(db, commands=commands, clock=clock), seen


async def test_reactions_counts_polls_and_poll_answers_reach_the_handler(fake_telegram, recorded):
    router, seen = recorded
    reaction = {
        "chat": tg_chat(GROUP_ID), "message_id": 77, "user": tg_user(ALICE_ID, "alice"), "date": 1,
        "old_reaction": [{"type": "emoji", "emoji": "👍"}],
        "new_reaction": [{"type": "emoji", "emoji": "🔥"}, {"type": "paid"}],
    }
    counts = {
        "chat": {"id": -1009, "type": "channel", "title": "News"}, "message_id": 5, "date": 1,
        "reactions": [{"type": {"type": "emoji", "emoji": "🔥"}, "total_count": 12}],
    }
    answer = {"poll_id": "p-1", "user": tg_user(ALICE_ID, "alice"), "option_ids": [3], "option_persistent_ids": ["o4"]}
    poll = {
        "id": "p-1", "question": "Rate the talk", "total_voter_count": 3, "is_closed": True, "is_anonymous": False,
        "type": "regular", "allows_multiple_answers": False, "allows_revoting": False, "members_only": False,
        "options": [{"text": str(i), "voter_count": n, "persistent_id": f"o{i}"}
                    for i, n in enumerate((0, 1, 0, 2, 0), start=1)],
    }
    async with running(make_telegram_door(fake_telegram, router)):
        ids = {kind: fake_telegram.push({kind: body})
               for kind, body in (("message_reaction", reaction), ("message_reaction_count", counts),
                                  ("poll_answer", answer), ("poll", poll))}
        await eventually(lambda: len(seen) == 5)
        (thanks,) = await fake_telegram.wait_for("sendMessage")

    # Different chats are handled concurrently: one chat's events keep their order, the rest may interleave.
    removed, added = [e for e in seen if isinstance(e, ReactionEvent)]
    (count,) = [e for e in seen if isinstance(e, ReactionCount)]
    (vote,) = [e for e in seen if isinstance(e, PollAnswer)]
    (results,) = [e for e in seen if isinstance(e, PollResults)]
    alice = UserRef(platform="telegram", user_id=str(ALICE_ID), display_name="alice")
    assert (removed.emoji, removed.added, removed.user, removed.message_id, removed.chat) == ("👍", False, alice, "77",
                                                                                             GROUP)
    assert (added.emoji, added.added) == ("🔥", True)
    assert removed.stamp == added.stamp == ids["message_reaction"]  # one person's changes go in this order
    assert count == ReactionCount(chat=ChatRef(platform="telegram", chat_id="-1009"), message_id="5",
                                  counts=(("🔥", 12),))
    assert vote == PollAnswer(poll_id="p-1", user=alice, option_ids=(3,), stamp=ids["poll_answer"])
    assert results == PollResults(poll_id="p-1", voter_counts=(0, 1, 0, 2, 0), is_closed=True, voters=3)
    assert thanks.chat_id == GROUP_ID and thanks.params["text"] == "thanks for the 🔥"


# --- webhook ----------------------------------------------------------------------------------------------


async def test_webhook_mode_checks_the_secret_on_every_request_and_dedupes_retries(
    fake_telegram, router
):
    settings = {"telegram_webhook_url": "https://bot.example.com/tg/hook", "telegram_webhook_secret": "s3cret_TOKEN"}
    door = make_telegram_door(fake_telegram, router, settings=settings, webhook_host="127.0.0.1", webhook_port=0)
    update = {"update_id": 31337, **message_update("/help")}
    async with running(door), aiohttp.ClientSession() as http:
        url = f"http://127.0.0.1:{door.bound_port}/tg/hook"
        no_secret = await http.post(url, json=update)
        wrong = await http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
        good = [
            await http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret_TOKEN"})
            for _ in range(2)  # Telegram retries when it did not see a 200 in time
        ]
        (answer,) = await fake_telegram.wait_for("sendMessage")
        await http.post(url, json=message_update("/list") | {"update_id": 31338},
                        headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret_TOKEN"})
        await fake_telegram.wait_for("sendMessage", 2)

    (hook,) = fake_telegram.calls_to("setWebhook")
    assert (no_secret.status, wrong.status, [r.status for r in good]) == (403, 403, [200, 200])
    assert "devrelbot commands" in answer.params["text"]
    assert sum("devrelbot commands" in c.params["text"] for c in fake_telegram.calls_to("sendMessage")) == 1
    assert hook.params["url"] == "https://bot.example.com/tg/hook" and hook.params["secret_token"] == "s3cret_TOKEN"
    assert "message_reaction" in hook.json("allowed_updates")
    assert fake_telegram.calls_to("getUpdates") == []


# --- the Messenger ----------------------------------------------------------------------------------------


async def test_the_messenger_sends_polls_photos_long_texts_and_direct_messages(fake_telegram, router):
    door = make_telegram_door(fake_telegram, router)
    async with running(door):
        messenger = door.messenger
        options = tuple(str(i) for i in range(11))
        sent_poll = await messenger.send_poll(GROUP, PollSpec("How likely are you to recommend <us> & them?", options,
                                                              anonymous=False))
        with pytest.raises(ValueError):
            await messenger.send_poll(GROUP, PollSpec("Too many", tuple(str(i) for i in range(13))))
        png = b"\x89PNG\r\n\x1a\nfake"
        await messenger.send(GROUP, Reply("*Weekly digest*", image=Image("digest.png", png)))
        long_text = "\n".join(f"• *{i}* " + escape("<&> " * 30) for i in range(50))  # ~21k chars of HTML
        await messenger.send(GROUP, Reply(long_text))
        fake_telegram.fail_next("sendMessage", status=403, description="Forbidden: bot can't initiate conversation")
        alice = UserRef(platform="telegram", user_id=str(ALICE_ID), display_name="alice")
        await messenger.send_direct(DirectTarget(user=alice, fallback_chat=GROUP), Reply("Your talk is tomorrow"))

    (poll,) = fake_telegram.calls_to("sendPoll")
    assert [o if isinstance(o, str) else o["text"] for o in poll.json("options")] == list(options)
    assert poll.params["is_anonymous"] == "false" and sent_poll.poll_id
    # Messages are HTML without previews (the Bot's Defaults); a poll is people's plain text, sent as typed.
    assert poll.params["question"] == "How likely are you to recommend <us> & them?"
    assert "question_parse_mode" not in poll.params
    assert all(isinstance(o, str) or "text_parse_mode" not in o for o in poll.json("options"))
    assert all(c.params["parse_mode"] == "HTML" and json.loads(c.params["link_preview_options"])["is_disabled"]
               for c in fake_telegram.calls_to("sendMessage"))
    (photo,) = fake_telegram.calls_to("sendPhoto")
    assert photo.files["photo"] == ("digest.png", png) and photo.params["caption"] == "<b>Weekly digest</b>"
    assert photo.params["parse_mode"] == "HTML"
    pieces = [c.params["text"] for c in fake_telegram.calls_to("sendMessage")[:-2]]
    assert len(pieces) > 1 and all(len(p) <= MESSAGE_LIMIT for p in pieces)
    assert all(p.count("<b>") == p.count("</b>") for p in pieces)
    assert "\n".join(pieces).count("&lt;&amp;&gt;") == 50 * 30
    private, fallback = fake_telegram.calls_to("sendMessage")[-2:]
    assert private.chat_id == ALICE_ID and fallback.chat_id == GROUP_ID
    assert f'<a href="tg://user?id={ALICE_ID}">alice</a>, Your talk is tomorrow' == fallback.params["text"]


# --- rendering, the command list, lazy import -------------------------------------------------------------


@pytest.mark.parametrize("limit", [40, 200, MESSAGE_LIMIT])
def test_split_html_keeps_every_chunk_under_the_limit_and_every_tag_closed(limit):
    text = "\n".join(f"*Title {i}* _{escape('a&b<c>' * 9)}_ `{escape('x' * 70)}` [link](https://e.x/{i})"
                     for i in range(60))
    chunks = split_html(text, limit)
    assert all(0 < len(c) <= limit for c in chunks)
    for chunk in chunks:
        tags = re.findall(r"</?(b|i|code|a)\b", chunk)
        assert chunk.count("<b>") == chunk.count("</b>") and chunk.count("<code>") == chunk.count("</code>"), tags
        assert chunk.count("<i>") == chunk.count("</i>") and chunk.count("<a ") == chunk.count("</a>")
    plain = re.sub(r"<[^>]+>", "", "".join(chunks)).replace("\n", "")
    assert plain.count("a&amp;b&lt;c&gt;") == 60 * 9


def test_split_html_leaves_a_short_reply_whole():
    assert split_html("*Hi* " + escape("<b>&*_")) == ["<b>Hi</b> &lt;b&gt;&amp;*_"]


def test_the_botfather_command_list_in_the_repo_matches_the_router():
    listed = (ROOT / "deploy" / "telegram-commands.txt").read_text(encoding="utf-8")
    assert listed == botfather_commands(registry.all()), (
        "regenerate it: .venv/bin/python -m bot.telegram.render > deploy/telegram-commands.txt"
    )
    assert [line.split(" - ")[0] for line in listed.splitlines()] == [c.name for c in registry.all()]


def test_the_russian_botfather_list_in_the_repo_matches_the_router():
    listed = (ROOT / "deploy" / "telegram-commands.ru.txt").read_text(encoding="utf-8")
    assert listed == botfather_commands(registry.all(), locale="ru"), (
        "regenerate it: .venv/bin/python -m bot.telegram.render ru > deploy/telegram-commands.ru.txt"
    )
    assert "help - Что делает каждая команда; подробнее — /help <команда>\n" in listed


def test_the_console_does_not_load_python_telegram_bot():
    code = "import sys, bot.cli, bot.app, bot.telegram; print('telegram' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


def test_webhook_settings_are_validated_and_name_the_setting(monkeypatch):
    from bot.settings import SettingsError, load_settings

    for name, value, extra in (
        ("TELEGRAM_WEBHOOK_URL", "not a url", {"telegram_webhook_secret": "abc"}),
        ("TELEGRAM_WEBHOOK_URL", "http://plain.example.com/hook", {"telegram_webhook_secret": "abc"}),
        ("TELEGRAM_WEBHOOK_SECRET", "has spaces!", {}),
        ("TELEGRAM_WEBHOOK_SECRET", None, {"telegram_webhook_url": "https://ok.example.com/hook"}),
        ("TELEGRAM_WEBHOOK_PORT", "70000", {}),
    ):
        if value is not None:
            monkeypatch.setenv(name, value)
        with pytest.raises(SettingsError) as info:
            load_settings(_env_file=None, **extra)
        assert name in str(info.value)
        monkeypatch.delenv(name, raising=False)


def test_the_env_example_documents_the_webhook_settings():
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in ("TELEGRAM_WEBHOOK_URL", "TELEGRAM_WEBHOOK_SECRET", "TELEGRAM_WEBHOOK_PORT"):
        line_before = example.split(f"\n{name}=")[0].rsplit("\n", 1)[-1]
        assert line_before.startswith("# "), name


async def test_the_messenger_exists_before_start_and_says_when_the_door_is_not_connected(
    fake_telegram, router
):
    door = make_telegram_door(fake_telegram, router)
    messenger = door.messenger  # what the scheduler holds on to, taken before the doors start
    with pytest.raises(ConnectionError):
        await messenger.send(GROUP, Reply("too early"))
    async with running(door):
        sent = await messenger.send(GROUP, Reply("*Reminder*"))
    (call,) = fake_telegram.calls_to("sendMessage")
    assert call.params["text"] == "<b>Reminder</b>" and sent.message_id
    with pytest.raises(ConnectionError):
        await messenger.send(GROUP, Reply("after stop"))
