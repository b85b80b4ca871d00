"""/metrics moves with the load: events by door and outcome, messages sent and platform errors by kind, sweep
durations and claims, inbox depth and age, and the leader's identity — read as Prometheus reads them (the
client library's own parser)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import col, update

from bot.leader import replica_id
from bot.metrics import Metrics
from bot.slack import SlackDoor
from handlers.router import Router
from jobs.scheduler import Ticker
from storage import inbox
from storage.db import Database
from storage.models import InboxItem, utcnow
from tests.bot.test_health import get, serving
from tests.conftest import Clock
from tests.doors import cards, eventually, make_telegram_door, running, slack_client, slack_settings
from tests.fakes.slack_api import FakeSlackAPI, reaction_event
from tests.fakes.telegram_api import FakeBotApi, message_update
from tests.jobs.messengers import RecordingMessenger
from tests.rows import planned_item, team_with_member


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of the exposition, by name and labels."""
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, frozenset(labels.items())), 0.0)


async def test_counters_move_with_the_load_on_both_doors_and_the_sweeps(
    db: Database, clock: Clock, slack_api: FakeSlackAPI, fake_telegram: FakeBotApi
):
    metrics = Metrics()
    metrics.watch_inbox(db)
    router = Router(db, clock=clock, on_command=metrics.command_handled, on_event=metrics.event_handled)
    slack_door = SlackDoor(slack_settings(slack_api), router, host="127.0.0.1", port=0, metrics=metrics)
    async with serving(db, [], metrics) as server, running(slack_door), running(
        make_telegram_door(fake_telegram, router, metrics=metrics)
    ), slack_client(slack_door, slack_api) as slack:
        await fake_telegram.wait_for("getUpdates")  # it polls: it leads
        before = (await get(server, "/metrics"))[1]
        assert value(before, "devrelbot_leader", role="telegram_poller", replica=replica_id()) == 1  # SQLite: it
        assert value(before, "devrelbot_inbox_pending", platform="telegram") == 0

        # Slack: a command, a feedback card, reactions (one delivered twice), a post Slack refuses.
        await slack.command("/log", 'talk "Metered" @ Conf 2026-11-20')
        await slack.command("/devrel", "feedback 1")
        await eventually(lambda: bool(cards(db)) and cards(db)[0].message_id is not None)
        card = str(cards(db)[0].message_id)
        for n in range(3):
            await slack.event(reaction_event(emoji="fire", ts=card, user=f"UV{n}"), event_id=f"EvM{n}")
        await slack.event(reaction_event(emoji="fire", ts=card, user="UV0"), event_id="EvM0", retry_num=1)
        slack_api.fail("chat.postMessage", error="channel_not_found")
        await slack.command("/log", 'talk "Nowhere" @ Conf 2026-11-20', channel="C0GONE")
        # Telegram: two commands, the second answer refused (the bot was blocked).
        fake_telegram.push(message_update('/log talk "Tg one" @ Conf 2026-11-20'))
        await fake_telegram.wait_for("sendMessage")
        fake_telegram.fail_next("sendMessage", status=403, description="Forbidden: bot was blocked by the user")
        fake_telegram.push(message_update('/log talk "Tg two" @ Conf 2026-11-20'))
        await fake_telegram.wait_for("sendMessage", 2)
        # The sweeps: one plan item overdue.
        with db.session() as session:
            team, owner = team_with_member(session)
            planned_item(session, team=team, owner=owner, title="Overdue", due=date(2026, 11, 20),
                         created=datetime(2026, 11, 1, tzinfo=UTC))
        await Ticker(db, {"console": RecordingMessenger()}, clock=clock, on_sweep=metrics.swept).tick()
        # A delivery waiting in the inbox for an hour.
        with db.session() as session:
            [waiting] = inbox.store(session, platform="telegram", deliveries=[inbox.Delivery("bot:1", "c1", "{}")])
            session.exec(update(InboxItem).where(col(InboxItem.id) == waiting.item_id)
                         .values(received_at=utcnow() - timedelta(hours=1)))

        await eventually(lambda: metrics.registry.get_sample_value(
            "devrelbot_platform_errors_total", {"door": "telegram", "kind": "forbidden"}) == 1)
        for _ in range(200):  # until the second Telegram update is marked handled: only the old row waits
            after = (await get(server, "/metrics"))[1]
            if value(after, "devrelbot_inbox_pending", platform="telegram") == 1:
                break
            await asyncio.sleep(0.05)

    assert value(after, "devrelbot_events_total", door="slack", outcome="ok") == 3
    assert value(after, "devrelbot_events_total", door="slack", outcome="duplicate") == 1
    assert value(after, "devrelbot_commands_total", door="telegram", outcome="ok") == 2
    assert value(after, "devrelbot_messages_sent_total", door="slack") == 2  # the /log announcement and the card
    assert value(after, "devrelbot_messages_sent_total", door="telegram") >= 1
    assert value(after, "devrelbot_platform_errors_total", door="slack", kind="channel_not_found") == 1
    assert value(after, "devrelbot_platform_errors_total", door="telegram", kind="forbidden") == 1
    assert value(after, "devrelbot_sweep_claims_total", job="reminders", result="sent") == 1
    assert value(after, "devrelbot_sweep_seconds_count", job="reminders") == 1
    assert value(after, "devrelbot_sweep_seconds_count", job="digests") == 1
    assert value(after, "devrelbot_inbox_pending", platform="telegram") == 1
    assert value(after, "devrelbot_inbox_oldest_seconds", platform="telegram") >= 3600
    assert value(after, "devrelbot_inbox_pending", platform="slack") == 0
    # Nothing moved before the load.
    assert value(before, "devrelbot_events_total", door="slack", outcome="ok") == 0
    assert value(before, "devrelbot_messages_sent_total", door="slack") == 0
