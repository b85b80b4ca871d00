"""Telegram in Russian: a command menu per language, and a person's own language in their private chat."""

from __future__ import annotations

from sqlmodel import select

from handlers.router import registry
from storage.models import Activity
from tests.fakes.telegram_api import ALICE_ID, GROUP_ID, FakeBotApi, callback_update, message_update


async def test_the_command_menu_is_published_in_english_and_in_russian(telegram_door, fake_telegram: FakeBotApi):
    calls = fake_telegram.calls_to("setMyCommands")
    menus = {call.params.get("language_code"): call.json("commands") for call in calls}

    assert set(menus) == {None, "ru"}  # English for everyone, Russian for Russian-language Telegram apps
    for commands in menus.values():
        assert [c["command"] for c in commands] == [c.name for c in registry.all()]
        assert all(1 <= len(c["description"]) <= 256 for c in commands)
    russian = {c["command"]: c["description"] for c in menus["ru"]}
    english = {c["command"]: c["description"] for c in menus[None]}
    assert russian["log"] == "Записать доклад, мероприятие, партнёрство, публикацию или пост в соцсетях"
    assert english["log"] == "Log a talk, event, partnership, publication or social post"


async def test_a_private_chat_answers_in_the_persons_app_language(telegram_door, fake_telegram: FakeBotApi):
    fake_telegram.push(message_update("/help", chat_id=ALICE_ID, language_code="ru"))
    (sent,) = await fake_telegram.wait_for("sendMessage")

    assert sent.chat_id == ALICE_ID
    assert "Команды devrelbot" in sent.text


async def test_in_a_group_everyone_reads_the_teams_language(telegram_door, fake_telegram: FakeBotApi, db):
    # Telegram has no replies for one person in a group: even help is read by all, so it stays in English.
    fake_telegram.push(message_update("/log доклад Kafka @ HighLoad++ вчера аудитория=300", language_code="ru"))
    (sent,) = await fake_telegram.wait_for("sendMessage")

    assert sent.chat_id == GROUP_ID
    assert "Logged <b>talk #1</b>" in sent.text
    with db.session() as s:
        assert s.exec(select(Activity)).one().audience == 300


async def test_the_guided_log_asks_in_the_teams_language_and_takes_russian_answers(
    telegram_door, fake_telegram: FakeBotApi, db
):
    fake_telegram.admins[GROUP_ID] = {ALICE_ID}  # alice administers the group: a team admin
    fake_telegram.push(message_update("/settings language=ru"))
    await fake_telegram.wait_for("sendMessage")
    fake_telegram.push(message_update("/log"))
    question = (await fake_telegram.wait_for("sendMessage", 2))[-1]
    labels = [b["text"] for row in question.json("reply_markup")["inline_keyboard"] for b in row]
    assert "Что записать?" in question.params["text"] and "🎤 Доклад" in labels

    fake_telegram.push(callback_update(question, "🎤 Доклад"))
    assert "Название (доклад)?" in (await fake_telegram.wait_for("sendMessage", 3))[-1].params["text"]
    fake_telegram.push(message_update("Масштабируем Postgres"))
    assert "Дата?" in (await fake_telegram.wait_for("sendMessage", 4))[-1].params["text"]
    fake_telegram.push(message_update("20 ноября"))
    assert "Цифры" in (await fake_telegram.wait_for("sendMessage", 5))[-1].params["text"]
    fake_telegram.push(message_update("@ HighLoad аудитория=300 контакты=25"))
    done = (await fake_telegram.wait_for("sendMessage", 6))[-1]

    assert "Записано: <b>доклад #1</b> Масштабируем Postgres" in done.params["text"]
    with db.session() as s:
        activity = s.exec(select(Activity)).one()
    assert (str(activity.date), activity.venue, activity.audience) == ("2026-11-20", "HighLoad", 300)


async def test_text_that_is_no_command_in_a_private_chat_is_answered_in_the_persons_language(
    telegram_door, fake_telegram: FakeBotApi
):
    fake_telegram.push(message_update("привет", chat_id=ALICE_ID, language_code="ru"))
    (sent,) = await fake_telegram.wait_for("sendMessage")

    assert "Команды начинаются с /" in sent.text
