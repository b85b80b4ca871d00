"""/plan import on Telegram: a CSV sent as a document captioned with the command, downloaded through the fake
Bot API (getFile, then /file/bot<token>/<path>) and imported; bad, oversized and uncaptioned files import nothing."""

from __future__ import annotations

import logging

from bot.attachments import MAX_BYTES
from tests.doors import plan_rows
from tests.fakes.telegram_api import (
    ALICE_ID,
    GROUP_ID,
    TOKEN,
    FakeBotApi,
    document_update,
    message_update,
)

GOOD = (
    b"kind,title,due,owner,outlet,tags,url\n"
    b"article,Postgres 17 in production,2026-12-10,alice,Habr,backend dba,\n"
    b"talk,Scaling reads,05.12.2026,,HighLoad++,,https://example.com/t\n"
)
BAD = (
    b"kind,title,due\n"
    b"article,Fine row,2026-12-10\n"
    b"podcast,Not a kind,2026-12-11\n"
    b"talk,No date,\n"
)


def send_document(api: FakeBotApi, content: bytes, caption: str | None, **options) -> dict:
    file_id = api.add_file(content)
    update = document_update(file_id, size=options.pop("size", len(content)), caption=caption, **options)
    api.push(update)
    return update


async def test_a_csv_captioned_plan_import_in_the_group_is_downloaded_and_imported(telegram_door, fake_telegram, db):
    update = send_document(fake_telegram, GOOD, "/plan import")
    (sent,) = await fake_telegram.wait_for("sendMessage")

    assert sent.chat_id == GROUP_ID
    assert "Imported 2 plan items" in sent.params["text"]
    assert sent.json("reply_parameters")["message_id"] == update["message"]["message_id"]
    assert plan_rows(db) == [
        ("publication", "Postgres 17 in production", "2026-12-10"),
        ("talk", "Scaling reads", "2026-12-05"),
    ]
    (get_file,) = fake_telegram.calls_to("getFile")
    (download,) = fake_telegram.calls_to("download")
    assert download.params["path"] == f"documents/{get_file.params['file_id']}"


async def test_plan_at_botname_import_in_a_private_chat_imports_too(telegram_door, fake_telegram, db):
    send_document(fake_telegram, GOOD, "/plan@devrel_test_bot import", chat_id=ALICE_ID)
    (sent,) = await fake_telegram.wait_for("sendMessage")

    assert sent.chat_id == ALICE_ID and "Imported 2 plan items" in sent.params["text"]
    assert len(plan_rows(db)) == 2


async def test_a_reply_plan_import_to_a_csv_someone_sent_imports_it(telegram_door, fake_telegram, db):
    shared = document_update(fake_telegram.add_file(GOOD), size=len(GOOD), username="bob")
    reply = message_update("/plan import")
    reply["message"]["reply_to_message"] = shared["message"]
    fake_telegram.push(reply)
    (sent,) = await fake_telegram.wait_for("sendMessage")

    assert "Imported 2 plan items" in sent.params["text"]
    assert len(plan_rows(db)) == 2


async def test_a_bad_csv_gets_its_row_errors_and_imports_nothing(telegram_door, fake_telegram, db):
    send_document(fake_telegram, BAD, "/plan import")
    (sent,) = await fake_telegram.wait_for("sendMessage")
    text = sent.params["text"]

    assert "Nothing was imported: 2 rows have errors" in text
    assert "line 3: kind" in text and "podcast" in text
    assert "line 4: due is empty" in text
    assert plan_rows(db) == []


async def test_an_oversized_file_is_refused_before_it_is_downloaded(telegram_door, fake_telegram, db):
    big = GOOD + b"article,filler,2026-12-10\n" * (MAX_BYTES // 20)
    assert len(big) > MAX_BYTES
    send_document(fake_telegram, big, "/plan import", filename="huge.csv")
    (sent,) = await fake_telegram.wait_for("sendMessage")

    assert "huge.csv" in sent.params["text"] and "files up to 1.0 MB" in sent.params["text"]
    assert "Nothing was imported" in sent.params["text"]
    assert fake_telegram.calls_to("getFile") == [] and fake_telegram.calls_to("download") == []
    assert plan_rows(db) == []


async def test_a_file_bigger_than_its_message_said_is_refused_by_what_getfile_says(telegram_door, fake_telegram, db):
    big = b"kind,title,due\n" + b"talk,x,2026-12-10\n" * (MAX_BYTES // 15)
    send_document(fake_telegram, big, "/plan import", size=100)  # the message understates the size
    (sent,) = await fake_telegram.wait_for("sendMessage")

    assert "files up to 1.0 MB" in sent.params["text"]
    assert fake_telegram.calls_to("download") == []
    assert plan_rows(db) == []


async def test_a_failed_download_is_reported_logged_without_the_file_url_and_imports_nothing(
    telegram_door, fake_telegram, db, caplog
):
    caplog.set_level(logging.DEBUG, logger="devrelbot")
    fake_telegram.fail_next("download", status=500, description="Internal Server Error")
    send_document(fake_telegram, GOOD, "/plan import")
    (sent,) = await fake_telegram.wait_for("sendMessage", timeout=15)

    assert "could not download" in sent.params["text"] and "plan.csv" in sent.params["text"]
    assert plan_rows(db) == []
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("devrelbot"))
    assert "could not download a document" in ours
    assert TOKEN not in ours and "/file/bot" not in ours and "documents/" not in ours


async def test_documents_without_the_plan_import_caption_are_ignored(telegram_door, fake_telegram, db):
    send_document(fake_telegram, GOOD, None)  # no caption, in the group
    send_document(fake_telegram, GOOD, None, chat_id=ALICE_ID)  # no caption, in private
    send_document(fake_telegram, GOOD, "our plan for December")  # a caption, but no command
    send_document(fake_telegram, GOOD, "/plan")  # another command: the file is not fetched
    fake_telegram.push(message_update("/help"))
    await fake_telegram.wait_for("sendMessage", 2)  # in order: /plan's answer, then /help's
    texts = [c.params["text"] for c in fake_telegram.calls_to("sendMessage")]

    assert len(texts) == 2 and "plan is empty" in texts[0]
    assert fake_telegram.calls_to("getFile") == [] and fake_telegram.calls_to("download") == []
    assert plan_rows(db) == []


async def test_an_attendee_export_captioned_attendees_import_matches_known_members(telegram_door, fake_telegram, db):
    from tests.fakes.telegram_api import BOB_ID

    fake_telegram.push(message_update('/log event "Go meetup" @ Hall 2026-11-20 audience=40'))
    await fake_telegram.wait_for("sendMessage")
    fake_telegram.push(message_update("/attended 1 @bobby_dev @newbie_tg", user_id=BOB_ID, username="bob"))
    marked = (await fake_telegram.wait_for("sendMessage", 2))[1].params["text"]
    assert "new community members (2): bobby_dev, newbie_tg" in marked
    export = b"Name,Telegram,Email\nBobby,@bobby_dev,\nNew Bie,newbie_tg,\nAnn,,ann@example.com\nNobody,,\n"
    send_document(fake_telegram, export, "/attendees 1 import")
    report = (await fake_telegram.wait_for("sendMessage", 3))[2].params["text"]
    assert "already marked before (2): bobby_dev, newbie_tg" in report
    assert "new community members (1): Ann" in report and "line 5: no Telegram username, Slack id or e-mail" in report
