"""/plan import on Slack: a CSV shared in a message whose text is the command, sent to the door as a signed
``message`` event; the door downloads ``url_private_download`` from the fake Web API with the bot token as a
Bearer header and imports it. Bad, oversized and unrelated files import nothing."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlmodel import select

from bot.attachments import MAX_BYTES
from bot.slack.files import command_of, trusted_url
from storage.models import ProcessedEvent
from tests.doors import plan_rows
from tests.fakes.slack_api import BOT_TOKEN, FakeSlackAPI, SlackClient, file_share_event

GOOD = (
    b"kind,title,due,owner,outlet,tags,url\n"
    b"article,Postgres 17 in production,2026-12-10,,Habr,backend dba,\n"
    b"talk,Scaling reads,05.12.2026,,HighLoad++,,https://example.com/t\n"
)
BAD = b"kind,title,due\narticle,Fine row,2026-12-10\npodcast,Not a kind,2026-12-11\ntalk,No date,\n"


async def settle() -> None:
    """Events are handled after the ack, in the background: let ignored ones run their (instant) course."""
    for _ in range(20):
        await asyncio.sleep(0.01)


async def test_a_csv_shared_in_the_dm_with_plan_import_is_downloaded_with_the_token_and_imported(
    slack: SlackClient, slack_api: FakeSlackAPI, db
):
    file = slack_api.add_file("plan.csv", GOOD)
    response = await slack.event(file_share_event("/plan import", [file], channel="D0ALICE"))

    assert response.status == 200
    [post] = await slack_api.wait_for("chat.postMessage")
    assert post.params["channel"] == "D0ALICE" and "Imported 2 plan items" in post.params["text"]
    [download] = slack_api.of("file_download")
    assert (download.params["file_id"], download.params["authorization"]) == (file["id"], f"Bearer {BOT_TOKEN}")
    assert plan_rows(db) == [
        ("publication", "Postgres 17 in production", "2026-12-10"),
        ("talk", "Scaling reads", "2026-12-05"),
    ]


@pytest.mark.parametrize("text", ["<@UBOT> plan import", "plan import", "/plan import"])
async def test_in_a_channel_the_answer_goes_back_to_the_same_channel_and_thread(
    slack: SlackClient, slack_api: FakeSlackAPI, db, text
):
    other = slack_api.add_file("notes.txt.pdf", b"%PDF")
    file = slack_api.add_file("plan.csv", GOOD)
    event = file_share_event(text, [other, file], channel="C0GENERAL", thread_ts="1700000000.000001")
    await slack.event(event)

    [post] = await slack_api.wait_for("chat.postMessage")
    assert (post.params["channel"], post.params["thread_ts"]) == ("C0GENERAL", "1700000000.000001")
    assert "Imported 2 plan items" in post.params["text"]
    assert [d.params["file_id"] for d in slack_api.of("file_download")] == [file["id"]]  # the CSV, not the PDF
    assert len(plan_rows(db)) == 2


async def test_a_bad_csv_gets_its_row_errors_privately_in_the_channel_and_imports_nothing(
    slack: SlackClient, slack_api: FakeSlackAPI, db
):
    await slack.event(file_share_event("/plan import", [slack_api.add_file("plan.csv", BAD)], channel="C0GENERAL"))

    [answer] = await slack_api.wait_for("chat.postEphemeral")
    assert (answer.params["channel"], answer.params["user"]) == ("C0GENERAL", "UALICE")
    assert "Nothing was imported: 2 rows have errors" in answer.params["text"]
    assert "line 3: kind" in answer.params["text"] and "line 4: due is empty" in answer.params["text"]
    assert slack_api.of("chat.postMessage") == []
    assert plan_rows(db) == []


async def test_a_bad_csv_in_the_dm_gets_an_ordinary_message(slack: SlackClient, slack_api: FakeSlackAPI, db):
    await slack.event(file_share_event("/plan import", [slack_api.add_file("plan.csv", BAD)], channel="D0ALICE"))

    [post] = await slack_api.wait_for("chat.postMessage")
    assert post.params["channel"] == "D0ALICE" and "2 rows have errors" in post.params["text"]
    assert plan_rows(db) == []


async def test_an_oversized_file_is_refused_without_downloading_it(slack: SlackClient, slack_api: FakeSlackAPI, db):
    big = GOOD + b"article,filler,2026-12-10,,,,\n" * (MAX_BYTES // 25)
    assert len(big) > MAX_BYTES
    await slack.event(file_share_event("/plan import", [slack_api.add_file("huge.csv", big)]))

    [post] = await slack_api.wait_for("chat.postMessage")
    assert "huge.csv" in post.params["text"] and "files up to 1.0 MB" in post.params["text"]
    assert slack_api.attempts("file_download") == []
    assert plan_rows(db) == []


async def test_a_file_bigger_than_announced_is_cut_off_while_downloading(
    slack: SlackClient, slack_api: FakeSlackAPI, db
):
    big = b"kind,title,due\n" + b"talk,x,2026-12-10\n" * (MAX_BYTES // 15)
    await slack.event(file_share_event("/plan import", [slack_api.add_file("plan.csv", big, size=120)]))

    [post] = await slack_api.wait_for("chat.postMessage")
    assert "files up to 1.0 MB" in post.params["text"] and "Nothing was imported" in post.params["text"]
    assert len(slack_api.attempts("file_download")) == 1
    assert plan_rows(db) == []


async def test_without_files_read_slack_answers_its_sign_in_page_and_the_reply_says_what_to_fix(
    slack: SlackClient, slack_api: FakeSlackAPI, db
):
    slack_api.files_readable = False
    await slack.event(file_share_event("/plan import", [slack_api.add_file("plan.csv", GOOD)]))

    [post] = await slack_api.wait_for("chat.postMessage")
    assert "could not download" in post.params["text"] and "files:read" in post.params["text"]
    assert plan_rows(db) == []


async def test_a_failed_download_is_reported_and_logged_without_url_or_token(
    slack: SlackClient, slack_api: FakeSlackAPI, db, caplog
):
    caplog.set_level(logging.DEBUG, logger="devrelbot")
    slack_api.fail("file_download", status=500)
    await slack.event(file_share_event("/plan import", [slack_api.add_file("plan.csv", GOOD)]))

    [post] = await slack_api.wait_for("chat.postMessage")
    assert "could not download" in post.params["text"] and plan_rows(db) == []
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("devrelbot"))
    assert "file download answered HTTP 500" in ours
    assert BOT_TOKEN not in ours and "files-pri" not in ours


async def test_a_file_whose_details_must_be_looked_up_is_fetched_after_files_info(
    slack: SlackClient, slack_api: FakeSlackAPI, db
):
    file = slack_api.add_file("plan.csv", GOOD)
    await slack.event(file_share_event("/plan import", [{"id": file["id"], "file_access": "check_file_info"}]))

    [post] = await slack_api.wait_for("chat.postMessage")
    assert "Imported 2 plan items" in post.params["text"]
    assert [c.params["file"] for c in slack_api.of("files.info")] == [file["id"]]


async def test_the_token_never_goes_to_a_host_that_is_not_slack(slack: SlackClient, slack_api: FakeSlackAPI, db):
    file = slack_api.add_file("plan.csv", GOOD, url_private_download="https://files.evil.example/plan.csv")
    await slack.event(file_share_event("/plan import", [file]))

    [post] = await slack_api.wait_for("chat.postMessage")
    assert "could not download" in post.params["text"]
    assert slack_api.attempts("file_download") == [] and plan_rows(db) == []


async def test_a_retried_event_imports_once(slack: SlackClient, slack_api: FakeSlackAPI, db):
    event = file_share_event("/plan import", [slack_api.add_file("plan.csv", GOOD)])
    await slack.event(event, event_id="EvFile")
    await slack.event(event, event_id="EvFile", retry_num=1)

    await slack_api.wait_for("chat.postMessage")
    await settle()
    assert len(slack_api.of("chat.postMessage")) == 1 and len(plan_rows(db)) == 2


async def test_other_messages_and_files_are_ignored_and_nothing_is_recorded(
    slack: SlackClient, slack_api: FakeSlackAPI, db
):
    file = slack_api.add_file("plan.csv", GOOD)
    await slack.event(file_share_event("here is the December plan", [file], channel="C0GENERAL"))
    await slack.event(file_share_event("", [file], channel="D0ALICE"))
    await slack.event(file_share_event("/plan", [file], channel="D0ALICE"))  # another command: no file needed
    await slack.event({"type": "message", "text": "/plan import", "user": "UALICE", "channel": "D0ALICE",
                       "channel_type": "im", "ts": "1700000100.000001"})  # no file
    bot_message = file_share_event("/plan import", [file], user="UBOT")
    bot_message["bot_id"] = "BBOT"
    await slack.event(bot_message)
    await settle()

    assert slack_api.attempts("file_download") == []
    assert slack_api.of("chat.postMessage") == [] and slack_api.of("chat.postEphemeral") == []
    assert plan_rows(db) == []
    with db.session() as s:
        assert s.exec(select(ProcessedEvent)).all() == []  # plain chatter leaves no trace


def test_the_command_is_read_with_or_without_slash_or_a_leading_mention():
    assert command_of("/plan import") == ("plan", "import")
    assert command_of("<@UBOT|devrelbot>: plan   import") == ("plan", "import")
    assert command_of("&lt;nothing&gt;") is None
    assert command_of("") is None


def test_the_token_goes_only_to_slack_file_hosts_or_the_configured_api_host():
    api = "https://slack.com/api/"
    assert trusted_url("https://files.slack.com/files-pri/T1-F1/download/plan.csv", api)
    assert trusted_url("https://files.slack-gov.com/files-pri/T1-F1/download/plan.csv", api)
    assert not trusted_url("http://files.slack.com/files-pri/T1-F1/download/plan.csv", api)  # not over TLS
    assert not trusted_url("https://files.slack.com.evil.example/plan.csv", api)
    assert not trusted_url("https://evilslack.com/plan.csv", api)
    assert trusted_url("http://127.0.0.1:8080/files-pri/x", "http://127.0.0.1:8080/api/")
    assert not trusted_url("http://127.0.0.1:9999/files-pri/x", "http://127.0.0.1:8080/api/")
