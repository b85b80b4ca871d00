"""Web API calls the listeners make through bolt's per-request ``client`` (the /log modal re-rendered for another
kind, App Home) are counted in /metrics like the door's own: calls by method, and the ones Slack refuses."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.metrics import Metrics
from bot.slack import SlackDoor
from handlers.router import Router
from storage.db import Database
from tests.bot.test_slack import opened_modal, submission
from tests.conftest import Clock
from tests.doors import running, slack_client, slack_settings
from tests.fakes.slack_api import BOT_TOKEN, FakeSlackAPI, SlackClient


def calls(metrics: Metrics, method: str) -> float:
    return metrics.registry.get_sample_value("devrelbot_platform_calls_total",
                                             {"door": "slack", "method": method}) or 0.0


def errors(metrics: Metrics, kind: str) -> float:
    return metrics.registry.get_sample_value("devrelbot_platform_errors_total", {"door": "slack", "kind": kind}) or 0.0


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
async def metered(slack_api: FakeSlackAPI, db: Database, clock: Clock, metrics: Metrics) -> AsyncIterator[SlackClient]:
    door = SlackDoor(slack_settings(slack_api), Router(db, clock=clock), host="127.0.0.1", port=0, metrics=metrics)
    async with running(door), slack_client(door, slack_api) as client:
        yield client


def kind_change(view: dict, kind: str) -> dict:
    """The modal's kind select changed, as Slack sends it (the listener answers with views.update)."""
    payload = submission(view, {"title": "Kafka post"}, kind=kind)
    payload["type"] = "block_actions"
    payload["container"] = {"type": "view", "view_id": "V1"}
    payload["actions"] = [{"type": "static_select", "action_id": "devrelbot_log_kind", "block_id": "kind",
                           "selected_option": {"value": kind}}]
    return payload


async def test_modal_updates_through_bolts_client_move_the_call_and_error_counters(
    metered: SlackClient, slack_api: FakeSlackAPI, metrics: Metrics
):
    view = await opened_modal(metered, slack_api)  # views.open: the door's own client
    assert calls(metrics, "views.open") == 1 and calls(metrics, "views.update") == 0

    await metered.interaction(kind_change(view, "publication"))
    await slack_api.wait_for("views.update")
    slack_api.fail("views.update", error="not_found")  # the person closed the modal meanwhile
    await metered.interaction(kind_change(view, "social"))

    assert len(slack_api.attempts("views.update")) == 2
    assert calls(metrics, "views.update") == 2
    assert errors(metrics, "not_found") == 1
    # The copy kept what bolt set on its client: the bot token went with each call.
    assert [auth for method, auth in slack_api.authorizations if method == "views.update"] == [
        f"Bearer {BOT_TOKEN}"] * 2


async def test_app_home_published_through_bolts_client_is_counted(
    metered: SlackClient, slack_api: FakeSlackAPI, metrics: Metrics
):
    await metered.event({"type": "app_home_opened", "user": "UALICE", "channel": "D0ALICE", "tab": "home"})
    await slack_api.wait_for("views.publish")

    assert calls(metrics, "views.publish") == 1
    assert calls(metrics, "users.info") >= 1  # the door's own client, counted as before
