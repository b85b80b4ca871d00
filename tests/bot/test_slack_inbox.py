"""Slack slash commands, clicks and /log forms go through the durable inbox: stored (deduplicated on their
trigger_id) before Slack gets its 200, handled by the chat's worker after it, and answered through the
command's response_url — also by the next process when this one stopped first."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import urllib.parse
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlmodel import col, select

from bot.slack import SlackDoor
from handlers.core import Incoming, Reply
from handlers.router import Registry, Request, Router, registry
from storage.db import Database
from storage.models import Activity, InboxItem
from tests.bot.test_slack_door import APP_TOKEN
from tests.conftest import Clock
from tests.doors import activities, eventually, make_slack_door, running, slack_client, slack_settings
from tests.fakes.slack_api import FakeSlackAPI, command_payload

LOG = 'talk "Inbox talk" @ Conf 2026-11-20 audience=40'


def inbox_rows(db: Database) -> list[InboxItem]:
    with db.reader() as session:
        return list(session.exec(select(InboxItem).where(InboxItem.platform == "slack").order_by(col(InboxItem.id))))


def with_slow_command(gate: threading.Event) -> Registry:
    """Every real command, plus /slow, which answers only once ``gate`` is set."""
    commands = Registry()
    for c in registry.all():
        commands.command(c.name, summary=c.summary, usage=c.usage, examples=c.examples, admin_only=c.admin_only,
                         reads_only=c.reads_only)(c.handler)

    @commands.command("slow", summary="Answers when the test lets it", usage="/slow")
    def slow(req: Request) -> Reply:
        assert gate.wait(10)
        return Reply("slow answer", ephemeral=True)

    return commands


async def test_a_command_is_acknowledged_once_stored_and_answered_through_response_url_when_done(
    slack_api: FakeSlackAPI, db: Database, clock: Clock
):
    gate = threading.Event()
    router = Router(db, commands=with_slow_command(gate), clock=clock)
    async with running(make_slack_door(slack_api, router)) as door, slack_client(door, slack_api) as slack:
        acked = await slack.command("/slow")
        assert acked.status == 200
        [stored] = inbox_rows(db)  # durable before the 200, not handled yet
        assert stored.done_at is None and stored.delivery_id.startswith("trigger:")
        assert slack_api.of("response_url") == []
        gate.set()
        [answer] = await slack_api.wait_for("response_url")
        await eventually(lambda: all(row.done_at is not None for row in inbox_rows(db)))
    assert answer.params["text"] == "slow answer"


async def test_a_replayed_slash_command_is_stored_once_and_applied_once(slack_api: FakeSlackAPI, db: Database,
                                                                        clock: Clock):
    router = Router(db, clock=clock)
    form = urllib.parse.urlencode(command_payload(slack_api, "/log", LOG, n=77))
    async with running(make_slack_door(slack_api, router)) as door, slack_client(door, slack_api) as slack:
        first, replay = await asyncio.gather(*(slack.post(form, "application/x-www-form-urlencoded")
                                               for _ in range(2)))
        await slack_api.wait_for("chat.postMessage")
        await eventually(lambda: all(row.done_at is not None for row in inbox_rows(db)))
    assert (first.status, replay.status) == (200, 200)
    assert [row.delivery_id for row in inbox_rows(db)] == ["trigger:trigger.77"]
    assert [a.title for a in activities(db)] == ["Inbox talk"]
    assert len(slack_api.of("chat.postMessage")) == 1


class DatabaseAway(Router):
    """A process whose database went away after the command was stored: every command fails on it."""

    def __init__(self, db: Database, **kwargs: Any) -> None:
        super().__init__(db, **kwargs)
        self.tries = 0

    def dispatch(self, incoming: Incoming, **kwargs: Any) -> list[Reply]:
        self.tries += 1
        if kwargs.get("raise_unavailable"):
            raise OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
        return super().dispatch(incoming, **kwargs)


async def test_stored_commands_are_kept_while_the_database_is_away_and_answered_by_the_next_process(
    slack_api: FakeSlackAPI, db: Database, clock: Clock
):
    away = DatabaseAway(db, clock=clock)
    door = make_slack_door(slack_api, away)
    # What is kept, not the "kept" notice (tests/bot/test_inbox_notice.py): on a loaded machine this first
    # process can live past the notice's 3 s, and its notice would be a reply this test says was never sent.
    door.listeners.received.notice_after = 3600.0
    async with running(door), slack_client(door, slack_api) as slack:
        acks = [await slack.command("/log", LOG), await slack.command("/help", "log")]
        await eventually(lambda: away.tries >= 1)
    assert [a.status for a in acks] == [200, 200]
    assert [row.done_at for row in inbox_rows(db)] == [None, None]  # kept for the next start
    assert activities(db) == [] and slack_api.of("response_url") == []

    async with running(make_slack_door(slack_api, Router(db, clock=clock))):
        [logged] = await slack_api.wait_for("chat.postMessage", timeout=10)
        [helped] = await slack_api.wait_for("response_url", timeout=10)
        await eventually(lambda: all(row.done_at is not None for row in inbox_rows(db)))
    assert "Logged" in logged.params["text"] and "/log" in helped.params["text"]
    assert [a.title for a in activities(db)] == ["Inbox talk"]
    with db.reader() as session:
        assert len(session.exec(select(Activity)).all()) == 1


async def test_socket_mode_acks_a_command_once_it_is_stored_and_a_redelivery_is_stored_once(
    slack_api: FakeSlackAPI, db: Database, clock: Clock
):
    """Socket Mode sends an envelope again when its ack is late: the same trigger_id, applied once."""
    slash = command_payload(slack_api, "/log", LOG, n=90)
    slack_api.socket_envelopes += [
        {"envelope_id": f"env-{n}", "type": "slash_commands", "payload": slash, "accepts_response_payload": True}
        for n in (1, 2)
    ]
    slack_api.hold("chat.postMessage")  # the answer waits: the command is stored, not yet handled
    door = SlackDoor(slack_settings(slack_api, slack_app_token=APP_TOKEN, slack_signing_secret=None),
                     Router(db, clock=clock))
    async with running(door):
        acks = await slack_api.wait_for("socket_ack", 2)
        [stored] = inbox_rows(db)
        assert stored.delivery_id == "trigger:trigger.90" and stored.done_at is None
        slack_api.release("chat.postMessage")
        await slack_api.wait_for("chat.postMessage")
        await eventually(lambda: all(row.done_at is not None for row in inbox_rows(db)))
    assert {a.params["envelope_id"] for a in acks} == {"env-1", "env-2"}
    assert [a.title for a in activities(db)] == ["Inbox talk"]
