"""Replicas: a Slack slash command one replica acknowledged (stored in the inbox) and was killed before it applied
it is taken over by a replica that lives once the dead one's lease ran out — the rule the Telegram door follows
(``bot.inbox.DurableInbox.running``) — applied once and answered through the command's response_url."""

from __future__ import annotations

import signal
import urllib.parse

import aiohttp
from sqlmodel import col, select

from bot.slack import SlackDoor
from handlers.router import Router
from storage.models import InboxItem
from tests.conftest import Clock, postgres_db
from tests.doors import running, slack_settings, titles
from tests.fakes.slack_api import FakeSlackAPI, SlackClient, command_payload
from tests.faults.test_kill_slack_door import door_process
from tests.faults.test_kill_telegram_door import until
from tests.replicas import schema_url

LEASE = 1.0  # seconds a replica holds the rows it stores (five minutes in production: bot.inbox.ADOPT_AFTER)


def slack_rows(db) -> list[InboxItem]:  # noqa: ANN001
    with db.reader() as session:
        return list(session.exec(select(InboxItem).where(InboxItem.platform == "slack").order_by(col(InboxItem.id))))


async def test_a_command_a_killed_replica_acknowledged_is_taken_over_applied_once_and_answered(
    slack_api: FakeSlackAPI, postgres_schema_url: tuple[str, str], clock: Clock
):
    url, schema = postgres_schema_url
    db = postgres_db(url, schema)
    db.upgrade()
    survivor = SlackDoor(slack_settings(slack_api), Router(db, clock=clock), host="127.0.0.1", port=0,
                         adopt_every=0.1, adopt_after=LEASE)
    async with running(survivor):
        # Replica A stores the command and answers 200, then its worker waits on users.info (Slack slow): it is
        # killed there, before anything was applied.
        slack_api.hold("users.info")
        doomed, port = await door_process(schema_url(url, schema), slack_api, replica="replica-a", lease=LEASE)
        form = command_payload(slack_api, "/log", 'talk "Taken over" @ Conf 2026-11-20', n=4242)
        async with aiohttp.ClientSession() as session:
            client = SlackClient(f"http://127.0.0.1:{port}/slack/events", slack_api, session)
            acked = await client.post(urllib.parse.urlencode(form), "application/x-www-form-urlencoded")
        assert acked.status == 200
        await until(lambda: bool(slack_api.attempts("users.info")), timeout=30, what="replica A to handle it")
        doomed.send_signal(signal.SIGKILL)
        await doomed.wait()
        [row] = slack_rows(db)
        assert row.done_at is None and titles(db) == {}  # acknowledged, not applied: only the inbox has it
        assert row.claimed_by == "replica-a"  # held by the replica that stored it: taken once its lease runs out

        # The survivor's channel is one the bot is not in: the answer goes through the command's response_url.
        slack_api.fail("chat.postMessage", error="not_in_channel")
        slack_api.release("users.info")
        [answer] = await slack_api.wait_for("response_url", timeout=30)
        await until(lambda: all(r.done_at is not None for r in slack_rows(db)), timeout=10, what="the row done")

    assert titles(db) == {"Taken over": 1}
    assert "Logged" in answer.params["text"] and answer.params.get("response_type") == "in_channel"
    assert len(slack_api.of("response_url")) == 1
    db.dispose()

