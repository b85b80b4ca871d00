"""The weekly digest posted through the real Slack and Telegram messengers into the fake APIs."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.slack.door import build_client
from bot.slack.messenger import SlackMessenger
from handlers.core import ChatRef
from jobs.digest import sweep_digests
from tests.doors import slack_settings
from tests.fakes.telegram_api import GROUP_ID
from tests.helpers import incoming, say

MONDAY_10 = datetime(2026, 11, 30, 10, tzinfo=UTC)


def subscribe(router, chat: ChatRef) -> None:
    say(router, '/log talk "Scaling <Postgres> & co" @ HighLoad++ 2026-11-24 audience=300', chat=chat)
    [reply] = router.dispatch(incoming("/digest here", chat=chat))
    assert not reply.is_error


async def test_slack_gets_the_summary_then_details_and_chart_in_its_thread(router, db, slack_api):
    channel = ChatRef(platform="slack", chat_id="C123", workspace_id="T1")
    subscribe(router, channel)
    messenger = SlackMessenger(build_client(slack_settings(slack_api)))

    result = await sweep_digests(db, {"slack": messenger}, clock=lambda: MONDAY_10, worker="w", pace=False)

    assert result.sent == 1
    summary, details = slack_api.of("chat.postMessage")[:2]
    assert summary.params["channel"] == "C123" and "Weekly digest" in summary.params["text"]
    assert "&lt;Postgres&gt; &amp; co" in details.params["text"]  # user text escaped for Slack
    assert details.params["thread_ts"] == "1700000000.000001"  # the summary's ts: the fake's first message
    completed = slack_api.of("files.completeUploadExternal")
    assert len(completed) == 1 and completed[0].params["thread_ts"] == details.params["thread_ts"]
    assert slack_api.of("files.getUploadURLExternal")


async def test_telegram_gets_the_summary_then_replies_with_details_and_the_photo(router, db, telegram_door,
                                                                                fake_telegram):
    group = ChatRef(platform="telegram", chat_id=str(GROUP_ID))
    subscribe(router, group)

    result = await sweep_digests(db, {"telegram": telegram_door.messenger}, clock=lambda: MONDAY_10, worker="w",
                                 pace=False)

    assert result.sent == 1
    messages = fake_telegram.calls_to("sendMessage")
    assert "Weekly digest" in messages[0].text and "Scaling &lt;Postgres&gt; &amp; co" in messages[1].params["text"]
    summary_id = 500  # the fake numbers its messages from 500: the summary is the first
    assert messages[1].json("reply_parameters")["message_id"] == summary_id
    [photo] = fake_telegram.calls_to("sendPhoto")
    assert photo.params["chat_id"] == str(GROUP_ID) and photo.json("reply_parameters")["message_id"] == summary_id
    assert photo.files["photo"][1].startswith(b"\x89PNG")
