"""The Telegram door with the real python-telegram-bot Application against the local fake Bot API."""

from __future__ import annotations

import asyncio
import html
import logging

import pytest
from sqlmodel import select

from bot.telegram.door import ALLOWED_UPDATES
from handlers.core import ChatRef, Incoming, UserRef
from handlers.router import Router, registry
from storage.models import ChatBinding
from tests.doors import activities, make_telegram_door, running
from tests.fakes.telegram_api import (
    ALICE_ID,
    BOB_ID,
    GROUP_ID,
    TOKEN,
    FakeBotApi,
    callback_update,
    message_update,
)

HOSTILE = "<b>Tom & *Jerry* _x_</b>"


# --- commands -------------------------------------------------------------------------------------------


async def test_start_publishes_the_command_menu_and_polls_for_every_update_kind(telegram_door, fake_telegram):
    commands = fake_telegram.calls_to("setMyCommands")[0].json("commands")
    await fake_telegram.wait_for("getUpdates")
    polled = fake_telegram.calls_to("getUpdates")[-1].json("allowed_updates")

    assert [c["command"] for c in commands] == [c.name for c in registry.all()]
    assert all(1 <= len(c["description"]) <= 256 for c in commands)
    assert sorted(polled) == sorted(ALLOWED_UPDATES)
    assert fake_telegram.calls_to("deleteWebhook"), "polling must clear a webhook left over from webhook mode"


async def test_a_command_in_a_group_with_botname_is_answered_and_a_hostile_title_comes_back_intact(
    telegram_door, fake_telegram, db
):
    line = f'/log@devrel_test_bot talk "{HOSTILE}" @ Conf 2026-11-20 audience=300'
    update = message_update(line)
    fake_telegram.push(update)
    (sent,) = await fake_telegram.wait_for("sendMessage")

    assert sent.chat_id == GROUP_ID and sent.params["parse_mode"] == "HTML"
    assert html.escape(HOSTILE, quote=False) in sent.params["text"]  # escaped once: shown exactly as typed
    assert sent.json("reply_parameters")["message_id"] == update["message"]["message_id"]
    assert [a.title for a in activities(db)] == [HOSTILE]


async def test_a_command_for_another_bot_in_the_group_is_left_alone(telegram_door, fake_telegram):
    fake_telegram.push(message_update("/help@some_other_bot"))
    fake_telegram.push(message_update("/list"))
    (sent,) = await fake_telegram.wait_for("sendMessage")  # in order: /help@other came first and was dropped

    assert "devrelbot commands" not in sent.params["text"]
    assert len(fake_telegram.calls_to("sendMessage")) == 1


async def test_the_same_update_delivered_twice_is_answered_once(telegram_door, fake_telegram):
    update = message_update("/help")
    update["update_id"] = 777
    fake_telegram.push(update)
    fake_telegram.push(dict(update))
    fake_telegram.push(message_update("/list"))
    await fake_telegram.wait_for("sendMessage", 2)

    texts = [c.params["text"] for c in fake_telegram.calls_to("sendMessage")]
    assert sum("devrelbot commands" in t for t in texts) == 1


# --- buttons and the guided /log --------------------------------------------------------------------------


async def test_a_button_press_runs_its_command_as_the_person_who_pressed(telegram_door, fake_telegram, db):
    fake_telegram.push(message_update('/log talk "Kept or not" @ Conf 2026-11-20'))
    fake_telegram.push(message_update("/delete 1"))
    _, question = await fake_telegram.wait_for("sendMessage", 2)
    labels = [b["text"] for row in question.json("reply_markup")["inline_keyboard"] for b in row]
    assert labels == ["Delete #1", "Keep it"]

    fake_telegram.push(callback_update(question, "Delete #1", user_id=BOB_ID, username="bob"))
    refused = (await fake_telegram.wait_for("sendMessage", 3))[-1]
    assert "Only the owner" in refused.params["text"] and len(activities(db)) == 1

    fake_telegram.push(callback_update(question, "Delete #1", user_id=ALICE_ID, username="alice"))
    deleted = (await fake_telegram.wait_for("sendMessage", 4))[-1]
    assert "Deleted" in deleted.params["text"] and activities(db) == []
    assert len(fake_telegram.calls_to("answerCallbackQuery")) == 2


async def _start_guided_log(fake: FakeBotApi) -> None:
    fake.push(message_update("/log"))
    (question,) = await fake.wait_for("sendMessage")
    labels = [b["text"] for row in question.json("reply_markup")["inline_keyboard"] for b in row]
    assert len(labels) == 5 and "🎤 Talk" in labels
    fake.push(callback_update(question, "🎤 Talk"))
    title_question = (await fake.wait_for("sendMessage", 2))[-1]
    assert "Title of the talk" in title_question.params["text"]
    assert title_question.json("reply_markup") == {"force_reply": True, "selective": True}
    assert "▸ 🎤 Talk" in fake.calls_to("editMessageText")[0].params["text"]


async def test_the_guided_log_asks_kind_title_date_and_metrics_then_stores_the_activity(
    telegram_door, fake_telegram, db
):
    await _start_guided_log(fake_telegram)
    fake_telegram.push(message_update(HOSTILE))
    assert "Date?" in (await fake_telegram.wait_for("sendMessage", 3))[-1].params["text"]
    fake_telegram.push(message_update("2026-13-45"))
    error, again = (await fake_telegram.wait_for("sendMessage", 5))[-2:]
    assert "not a real calendar date" in error.params["text"] and "Date?" in again.params["text"]
    fake_telegram.push(message_update("20.11.2026"))
    assert "Numbers" in (await fake_telegram.wait_for("sendMessage", 6))[-1].params["text"]
    fake_telegram.push(message_update("@ HighLoad audience=300 #backend"))
    done = (await fake_telegram.wait_for("sendMessage", 7))[-1]

    assert "Logged <b>talk #1</b>" in done.params["text"]
    (activity,) = activities(db)
    assert (activity.title, activity.venue, activity.audience, str(activity.date)) == (
        HOSTILE,
        "HighLoad",
        300,
        "2026-11-20",
    )
    assert telegram_door.dialogues.active() == []


async def test_the_guided_log_is_cancelled_with_cancel(telegram_door, fake_telegram, db):
    await _start_guided_log(fake_telegram)
    fake_telegram.push(message_update("/cancel"))
    cancelled = (await fake_telegram.wait_for("sendMessage", 3))[-1]
    fake_telegram.push(message_update("A title nobody asked for"))
    fake_telegram.push(message_update("/cancel"))
    nothing = (await fake_telegram.wait_for("sendMessage", 4))[-1]

    assert "Cancelled" in cancelled.params["text"] and "Nothing to cancel" in nothing.params["text"]
    assert activities(db) == [] and telegram_door.dialogues.active() == []


async def test_an_abandoned_guided_log_times_out_with_a_message(fake_telegram, router, db):
    async with running(make_telegram_door(fake_telegram, router, dialogue_timeout=0.3)) as door:
        await _start_guided_log(fake_telegram)
        notice = (await fake_telegram.wait_for("sendMessage", 3))[-1]
        assert "timed out" in notice.params["text"] and door.dialogues.active() == []
        fake_telegram.push(message_update("Too late"))
        fake_telegram.push(message_update("/list"))
        listing = (await fake_telegram.wait_for("sendMessage", 4))[-1]
    assert "Too late" not in listing.params["text"] and activities(db) == []


# --- one team across Slack and Telegram -------------------------------------------------------------------


def slack_code(router: Router) -> str:
    """A Slack workspace admin asks for a code (the Slack door is not needed for that: the handler is shared)."""
    chat = ChatRef(platform="slack", chat_id="C1", workspace_id="T1")
    user = UserRef(platform="slack", user_id="U1", display_name="ann")
    (reply,) = router.dispatch(Incoming(chat=chat, user=user, command="connect", args="telegram", platform_admin=True))
    return reply.text.split("*")[1]


def group_team(db) -> tuple[int, int]:
    with db.session() as s:
        teams = {b.chat_id: b.team_id for b in s.exec(select(ChatBinding))}
    return teams["T1"], teams.get(str(GROUP_ID), -1)


async def test_linking_a_group_with_valid_wrong_expired_reused_codes_and_by_a_non_admin(
    telegram_door, fake_telegram, router, db, clock
):
    fake_telegram.admins[GROUP_ID] = {ALICE_ID}
    code = slack_code(router)

    fake_telegram.push(message_update(f"/connect {code}", user_id=BOB_ID, username="bob"))
    by_member = (await fake_telegram.wait_for("sendMessage", 1))[-1]
    fake_telegram.push(message_update("/connect ABCD-EFGH"))
    wrong = (await fake_telegram.wait_for("sendMessage", 2))[-1]
    fake_telegram.push(message_update(f"/connect@devrel_test_bot {code}"))
    linked = (await fake_telegram.wait_for("sendMessage", 3))[-1]
    slack_team, telegram_team = group_team(db)
    fake_telegram.push(message_update(f"/connect {code}", chat_id=-100999))
    fake_telegram.admins[-100999] = {ALICE_ID}
    reused = (await fake_telegram.wait_for("sendMessage", 4))[-1]
    late = slack_code(router)
    clock.advance(minutes=16)
    fake_telegram.push(message_update(f"/connect {late}", chat_id=-100999))
    expired = (await fake_telegram.wait_for("sendMessage", 5))[-1]

    assert "Only an admin of this chat" in by_member.params["text"]
    assert "not valid" in wrong.params["text"]
    assert "now a team chat" in linked.params["text"] and slack_team == telegram_team
    assert "already used" in reused.params["text"]
    assert "expired" in expired.params["text"]
    checked = {(int(c.params["chat_id"]), int(c.params["user_id"])) for c in fake_telegram.calls_to("getChatMember")}
    assert (GROUP_ID, BOB_ID) in checked and (GROUP_ID, ALICE_ID) in checked


async def test_disconnect_by_a_group_admin_makes_the_group_a_team_of_its_own(
    telegram_door, fake_telegram, router, db
):
    fake_telegram.admins[GROUP_ID] = {ALICE_ID}
    fake_telegram.push(message_update(f"/connect {slack_code(router)}"))
    fake_telegram.push(message_update("/disconnect", user_id=BOB_ID, username="bob"))
    fake_telegram.push(message_update("/disconnect"))
    _, refused, done = await fake_telegram.wait_for("sendMessage", 3)

    assert "Only an admin" in refused.params["text"] and "left" in done.params["text"]
    assert group_team(db)[1] == -1  # no binding: the next command makes the group a team of its own


# --- failures ---------------------------------------------------------------------------------------------


async def test_a_429_with_retry_after_is_waited_out_and_the_message_still_goes(telegram_door, fake_telegram):
    fake_telegram.fail_next("sendMessage", status=429, description="Too Many Requests: retry after 1", retry_after=1)
    fake_telegram.push(message_update("/help"))
    first, second = await fake_telegram.wait_for("sendMessage", 2, timeout=8)

    assert first.params["text"] == second.params["text"] and "devrelbot commands" in second.params["text"]
    assert second.at - first.at >= 1.0


async def test_a_429_asking_for_an_hour_is_not_waited_for(telegram_door, fake_telegram, caplog):
    fake_telegram.fail_next("sendMessage", status=429, description="Too Many Requests: retry after 3600",
                            retry_after=3600)
    fake_telegram.push(message_update("/help"))
    refused, apology = await fake_telegram.wait_for("sendMessage", 2, timeout=5)

    assert apology.at - refused.at < 5 and "Something went wrong" in apology.params["text"]
    assert any("flood limit" in r.getMessage() for r in caplog.records)


async def test_a_handler_that_raises_does_not_stop_the_bot(fake_telegram, db, clock, caplog):
    commands = type(registry)()

    @commands.command("boom", summary="fails", usage="/boom")
    def boom(req):
        raise RuntimeError("kaboom")

    @commands.command("ping", summary="answers", usage="/ping")
    def ping(req):
        from handlers.core import Reply

        return Reply("pong")

    router = Router(db, commands=commands, clock=clock)
    async with running(make_telegram_door(fake_telegram, router)):
        fake_telegram.push(message_update("/boom"))
        fake_telegram.push(message_update("/ping"))
        oops, pong = await fake_telegram.wait_for("sendMessage", 2)

    assert "Something went wrong, nothing was saved" in oops.params["text"] and pong.params["text"] == "pong"
    assert any(r.exc_info and "kaboom" in str(r.exc_info[1]) for r in caplog.records)


async def test_a_failure_inside_the_door_is_logged_and_the_next_update_is_answered(
    telegram_door, fake_telegram, caplog
):
    fake_telegram.fail_next("sendMessage", status=400, description="Bad Request: chat not found")
    fake_telegram.push(message_update("/help"))
    fake_telegram.push(message_update("/list"))
    calls = await fake_telegram.wait_for("sendMessage", 3)

    assert "Something went wrong, nothing was saved" in calls[1].params["text"]
    assert "/list" not in calls[2].params["text"] and calls[2].params["parse_mode"] == "HTML"
    failures = [r for r in caplog.records if r.levelno == logging.ERROR and "Telegram update failed" in r.getMessage()]
    assert failures and failures[0].exc_info is not None


async def test_a_revoked_token_stops_start_up_with_a_clear_message_that_does_not_show_it(
    fake_telegram, router, caplog
):
    fake_telegram.token_valid = False
    door = make_telegram_door(fake_telegram, router)
    with pytest.raises(RuntimeError, match="TELEGRAM_BOT_TOKEN") as info:
        await asyncio.wait_for(door.run(asyncio.Event()), timeout=10)

    assert TOKEN not in str(info.value)
    assert all(TOKEN not in r.getMessage() for r in caplog.records)
