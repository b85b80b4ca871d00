"""Reaction events in HTTP mode take the short way to their listener (bot/slack/reactions.py): verified as bolt
verifies them, answered as bolt answers them — and everything else still goes through bolt."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlmodel import select

from bot.slack import SlackDoor
from storage.models import ProcessedEvent
from tests.doors import activities, eventually
from tests.fakes.slack_api import BOT_USER_ID, TEAM_ID, SlackClient, reaction_event


def envelope(event: dict[str, Any], event_id: str) -> str:
    return json.dumps({"token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0APP", "event": event,
                       "type": "event_callback", "event_id": event_id, "event_time": int(time.time()),
                       "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}]})


def marks(db) -> list[str]:
    with db.session() as session:
        return [p.event_id for p in session.exec(select(ProcessedEvent)).all()]


class BoltCalls:
    """Counts the requests that reach bolt's dispatch."""

    def __init__(self, door: SlackDoor) -> None:
        self.count = 0
        dispatch = door.app.async_dispatch

        async def counted(request: Any) -> Any:
            self.count += 1
            return await dispatch(request)

        door.app.async_dispatch = counted  # type: ignore[method-assign]


async def test_a_reaction_is_applied_without_bolt_and_a_command_still_goes_through_it(
    slack: SlackClient, slack_door: SlackDoor, recorder, db
):
    bolt = BoltCalls(slack_door)

    added = await slack.event(reaction_event("reaction_added", "fire"), event_id="EvShort")
    # A slash command whose text names a reaction event is still a command: bolt stores and runs it.
    command = await slack.command("/log", 'talk "reaction_added in practice" @ Conf 2026-11-20')

    assert (added.status, command.status) == (200, 200)
    assert [r.emoji for r in recorder.reactions] == ["🔥"]  # applied before the 200
    assert bolt.count == 1
    await eventually(lambda: len(activities(db)) == 1)


async def test_a_reaction_with_a_bad_signature_gets_401_and_changes_nothing(slack: SlackClient, recorder, db):
    body = envelope(reaction_event("reaction_added", "fire"), "EvForged")

    forged = await slack.post(body, "application/json", secret="not-the-signing-secret")
    stale = await slack.post(body, "application/json", timestamp=int(time.time()) - 6 * 60)

    assert (forged.status, stale.status) == (401, 401)
    assert recorder.reactions == []
    assert "EvForged" not in marks(db)  # so Slack's own later delivery of it still counts


async def test_a_reaction_the_listener_cannot_read_is_acknowledged_and_changes_nothing(
    slack: SlackClient, recorder, db
):
    unreadable = {"type": "reaction_added", "user": "UCAROL", "reaction": "fire", "item": {"type": "message"}}

    response = await slack.event(unreadable, event_id="EvBroken")

    assert response.status == 200  # as bolt answers a listener that could not read its payload
    assert recorder.reactions == []


async def test_other_events_and_unreadable_bodies_go_the_way_they_always_went(
    slack: SlackClient, slack_door: SlackDoor
):
    bolt = BoltCalls(slack_door)

    mention = await slack.event({"type": "app_mention", "user": "UCAROL", "text": "reaction_added", "ts": "1.2",
                                 "channel": "C0GENERAL", "event_ts": "1.2"}, event_id="EvMention")
    garbled = await slack.post('{"type": "event_callback", "event": {"type": "reaction_added"', "application/json")

    assert (mention.status, bolt.count) == (404, 1)  # bolt's answer to an event it has no listener for
    assert garbled.status == 400  # the door's answer to a body bolt cannot parse
