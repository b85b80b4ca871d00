"""The audience count through the real messengers and the fake platforms: Telegram's getChatMemberCount for a
linked group, Slack's conversations.info (num_members) for a digest channel — each asked once on a day."""

from __future__ import annotations

from sqlmodel import select

from jobs.audience import sweep_audience
from storage.models import AudienceCount
from tests.fakes.telegram_api import ALICE_ID, GROUP_ID, message_update


async def test_a_telegram_group_and_a_slack_digest_channel_are_counted_once_a_day(
    telegram_door, fake_telegram, slack, slack_door, slack_api, db, clock
):
    fake_telegram.admins[GROUP_ID] = {ALICE_ID}
    fake_telegram.push(message_update("/digest here"))
    await fake_telegram.wait_for("sendMessage")
    slack_api.admins.add("UALICE")
    await slack.command("/digest", "here", user="UALICE", channel="C0DIGEST")
    await slack_api.wait_for("chat.postMessage")
    fake_telegram.member_counts[GROUP_ID] = 1234
    slack_api.member_counts["C0DIGEST"] = 56
    doors = {"telegram": telegram_door.messenger, "slack": slack_door.messenger}

    await sweep_audience(db, doors, clock=clock, worker="w")
    await sweep_audience(db, doors, clock=clock, worker="restarted")

    assert [int(c.params["chat_id"]) for c in fake_telegram.calls_to("getChatMemberCount")] == [GROUP_ID]
    asked = [c.params for c in slack_api.of("conversations.info") if c.params.get("include_num_members")]
    assert [p["channel"] for p in asked] == ["C0DIGEST"]
    with db.session() as s:
        assert sorted((r.platform, r.chat_id, r.count) for r in s.exec(select(AudienceCount))) == [
            ("slack", "C0DIGEST", 56), ("telegram", str(GROUP_ID), 1234)]
