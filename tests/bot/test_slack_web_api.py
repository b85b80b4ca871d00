"""The Slack door's Web API use on the hot path: one connection pool for every call while the door runs, and a
reaction that never waits for ``users.info``."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.slack import SlackDoor
from handlers.router import Router
from storage.models import CommunityMember
from tests.doors import cards, eventually, running, slack_client, votes
from tests.fakes.slack_api import FakeSlackAPI, SlackClient, reaction_event

TALK = 'talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300'


@pytest.fixture
def slack_router(db, clock) -> Router:
    """The real registry: commands and the feedback event handlers."""
    return Router(db, default_timezone="UTC", clock=clock)


async def card_ts(slack: SlackClient, slack_api: FakeSlackAPI, db) -> str:
    await slack.command("/log", TALK, user="UALICE")
    await slack_api.wait_for("chat.postMessage")
    await slack.command("/rate", "1", user="UALICE")
    await eventually(lambda: bool(cards(db)) and cards(db)[0].message_id is not None)
    return str(cards(db)[0].message_id)


async def test_web_api_calls_share_one_connection_pool_while_the_door_runs(slack_door: SlackDoor, slack_api, db):
    async with slack_client(slack_door, slack_api) as slack:
        for n in range(1, 6):
            await slack.command("/log", f'talk "Talk {n}" @ Conf 2026-11-20', user="UALICE")
            await slack_api.wait_for("chat.postMessage", n)
        session = slack_door.client.session
        assert session is not None and not session.closed
    # users.info, auth.test and five postMessage calls, one after the other, over one kept-alive connection
    # (slack-sdk without a session opens a new one per call).
    assert len(slack_api.of("chat.postMessage")) == 5
    assert len(slack_api.peers) == 1


async def test_the_shared_session_is_closed_when_the_door_stops(slack_api, slack_router):
    from tests.doors import make_slack_door

    door = make_slack_door(slack_api, slack_router)
    async with running(door):
        session = door.client.session
        assert session is not None
    assert session.closed and door.client.session is None


async def test_a_reaction_from_someone_not_looked_up_yet_counts_without_waiting_for_users_info(
    slack: SlackClient, slack_door: SlackDoor, slack_api: FakeSlackAPI, db
):
    ts = await card_ts(slack, slack_api, db)
    slack_api.display_names["UCAROL"] = "carol"
    slack_api.hold("users.info")  # a Web API that does not answer: the ack must not wait for it

    # Slack's 200 comes back while users.info is still unanswered (a condition, not a stopwatch).
    response = await slack.event(reaction_event("reaction_added", "fire", ts=ts, user="UCAROL"))
    assert response.status == 200
    assert votes(db) == {"slack:UCAROL": 5}  # committed before the 200

    # The lookup went on in the background; her next vote carries her name.
    await slack_api.wait_for("users.info", 2, timeout=10)  # /log's author, then carol (held)
    slack_api.release("users.info")
    await eventually(lambda: slack_door.listeners.voter_ref("UCAROL").display_name == "carol")
    await slack.event(reaction_event("reaction_added", "+1", ts=ts, user="UCAROL"))
    assert votes(db) == {"slack:UCAROL": 4}
    with db.session() as session:
        (member,) = session.exec(select(CommunityMember).where(CommunityMember.user_id == "UCAROL")).all()
    assert member.display_name == "carol"
