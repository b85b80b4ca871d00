"""Three ``devrelbot run`` replicas on one PostgreSQL behind a round-robin proxy, Slack in HTTP mode and Telegram
in webhook mode on each: a load of Telegram updates, Slack slash commands and Slack reaction events while one
replica is killed (SIGKILL) and started again. Every acknowledged item is applied exactly once, and every
reminder and digest due meanwhile is sent once."""

from __future__ import annotations

import asyncio
import collections
import json
import re
import signal
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import col, select

from storage.digests import subscribe
from storage.models import Activity, InboxItem
from tests.conftest import postgres_db
from tests.doors import cards, votes
from tests.fakes.slack_api import TEAM_ID, FakeSlackAPI, reaction_event
from tests.fakes.telegram_api import FakeBotApi, message_update
from tests.replicas import Replica, RoundRobinProxy, Sender, bounded, replica_env, schema_url
from tests.rows import planned_item, reminder_states, team_with_member

TELEGRAM_UPDATES = 60
SLACK_COMMANDS = 30
SLACK_REACTIONS = 30
REMINDERS = 10
AFTER_RESTART = 15
CHATS = (-1001, -1002, -1003)
DIGEST_CHANNEL = "C0DIGEST"


def plan_reminders_and_a_digest(db) -> None:  # noqa: ANN001
    """Work due now for the sweeps of every replica: overdue plan items (their "overdue" reminder goes to the
    owner's DM) and the Slack team's weekly digest."""
    now = datetime.now(UTC)
    with db.session() as session:
        team, owner = team_with_member(session, platform="slack", scope_id=TEAM_ID, user_id="UALICE",
                                       display_name="alice")
        for n in range(REMINDERS):
            planned_item(session, team=team, owner=owner, title=f"R{n}", due=(now - timedelta(days=3)).date(),
                         created=now - timedelta(days=30))
        subscribe(session, team=team, platform="slack", chat_id=DIGEST_CHANNEL, thread_id=None,
                  member_id=owner.id, now=now)
        team.next_digest_at = now - timedelta(minutes=1)
        session.add(team)


def titles(db) -> collections.Counter[str]:  # noqa: ANN001
    with db.reader() as session:
        return collections.Counter(a.title for a in session.exec(select(Activity)))


def posted(api: FakeSlackAPI, words: str, channel: str | None = None) -> list[str]:
    return [c.params.get("text", "") for c in api.of("chat.postMessage")
            if words in c.params.get("text", "") and (channel is None or c.params.get("channel") == channel)]


async def eventually(check, *, timeout: float, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.2)


def telegram_update(n: int) -> dict:
    return {"update_id": 50_000 + n,
            **message_update(f'/log talk "T{n}" @ Conf 2026-11-20', chat_id=CHATS[n % len(CHATS)])}


async def test_three_replicas_apply_every_acknowledged_item_once_while_one_is_killed_and_restarted(
    slack_api: FakeSlackAPI, fake_telegram: FakeBotApi, postgres_schema_url, tmp_path
):
    url, schema = postgres_schema_url
    db = postgres_db(url, schema)
    db.upgrade()
    plan_reminders_and_a_digest(db)
    env = replica_env(schema_url(url, schema), slack_api, fake_telegram)
    replicas = [Replica(f"replica-{i}", env, tmp_path / f"replica-{i}.log") for i in range(3)]
    proxy = RoundRobinProxy(replicas)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        try:
            for replica in replicas:
                await replica.start()
            for replica in replicas:
                await replica.wait_ready(session)
            sender = Sender(await proxy.start(), slack_api, session)

            # A feedback card whose reactions are votes, made through the proxy like everything else.
            assert await sender.slack_command("/log", 'talk "Card" @ Conf 2026-11-20')
            assert await sender.slack_command("/devrel", "feedback 1")
            await eventually(lambda: bool(cards(db)) and cards(db)[0].message_id is not None, timeout=30,
                             what="the feedback card")
            card_ts = str(cards(db)[0].message_id)
            # The sweeps of every replica ran at their start: done before the kill, because a row claimed by a
            # killed process waits out its five-minute lease (tests/faults/test_sigkill_sweep.py covers that).
            await eventually(lambda: reminder_states(db)[("sent", "overdue")] == REMINDERS
                             and bool(posted(slack_api, "Weekly digest", DIGEST_CHANNEL)), timeout=120,
                             what="the reminders and the digest")

            load: list[tuple[str, str, Any]] = []  # (kind, what it makes, the sending coroutine)
            for n in range(max(TELEGRAM_UPDATES, SLACK_COMMANDS, SLACK_REACTIONS)):
                if n < TELEGRAM_UPDATES:
                    load.append(("telegram", f"T{n}", sender.telegram(telegram_update(n))))
                if n < SLACK_COMMANDS:
                    command, text = ("/log", f'talk "S{n}" @ Conf 2026-11-20') if n % 2 else (
                        "/devrel", f'log talk "S{n}" @ Conf 2026-11-20')
                    load.append(("command", f"S{n}", sender.slack_command(command, text, user=f"U{n % 5}")))
                if n < SLACK_REACTIONS:
                    event = reaction_event(emoji="fire", ts=card_ts, user=f"UVOTER{n}")
                    load.append(("reaction", f"UVOTER{n}",
                                 sender.slack_event(event, event_id=f"EvLOAD{n}", team_id=TEAM_ID)))
            killed_and_back = asyncio.create_task(kill_and_restart(replicas[1], session, fake_telegram, db))
            acknowledged = await bounded(6, [job for _kind, _made, job in load])
            applied_at_kill, back_at = await killed_and_back
            assert applied_at_kill < TELEGRAM_UPDATES, "the load was over before the kill: nothing was tested"
            # After the restart, more: the replica that came back takes its turn again.
            after = [("telegram", f"T{n}", sender.telegram(telegram_update(n)))
                     for n in range(TELEGRAM_UPDATES, TELEGRAM_UPDATES + AFTER_RESTART)]
            acknowledged += await bounded(6, [job for _kind, _made, job in after])
            load += after

            acked = {(kind, made) for (kind, made, _job), ok in zip(load, acknowledged, strict=True) if ok}
            assert {(kind, made) for kind, made, _job in load if kind != "command"} <= acked  # sent until acked
            command_acked = {made for kind, made in acked if kind == "command"}

            expected_titles = {f"T{n}" for n in range(TELEGRAM_UPDATES + AFTER_RESTART)} | command_acked
            await eventually(lambda: expected_titles <= set(titles(db)), timeout=120,
                             what="every acknowledged item to be applied")
            await asyncio.sleep(2)  # anything applied or sent twice would show up by now
            metrics = [await replica.metrics(session) for replica in replicas]
        finally:
            await proxy.close()
            for replica in replicas:
                await replica.stop()

    counted = titles(db)
    assert {t: n for t, n in counted.items() if n != 1} == {}, "applied more than once"
    planned = {"Card"} | {f"R{n}" for n in range(REMINDERS)}
    assert set(counted) - planned - expected_titles <= {f"S{n}" for n in range(SLACK_COMMANDS)}  # unacked: ≤ once
    assert len(votes(db)) == SLACK_REACTIONS
    assert reminder_states(db)[("sent", "overdue")] == REMINDERS
    overdue = collections.Counter(re.findall(r"\* (R\d+),", " ".join(posted(slack_api, "Overdue since"))))
    assert overdue == collections.Counter({f"R{n}": 1 for n in range(REMINDERS)})
    assert len(posted(slack_api, "Weekly digest", DIGEST_CHANNEL)) == 1
    # Every confirmation is sent: one kept with its command (bot.inbox.keeper) is sent by the killed replica when
    # it is back (its own rows). A row a live replica holds is never sent by another (the inbox lease). The one
    # window left (README): a confirmation of the killed replica on its way when it died — the platform took it,
    # the row was not marked done — is sent again by its restart: only its own rows, at most one per chat.
    confirmed = collections.Counter(re.findall(r"\b(T\d+) @ Conf", " ".join(fake_telegram.sent_texts())))
    assert len(confirmed) == TELEGRAM_UPDATES + AFTER_RESTART
    twice = {title for title, n in confirmed.items() if n > 1}
    assert all(confirmed[title] == 2 for title in twice), confirmed
    assert twice <= held_by(db, replicas[1].name, stored_before=back_at), (twice, confirmed)
    assert len(twice) <= len(CHATS), confirmed
    # Each replica answered part of the load: the proxy spread it.
    handled = [command_count(text) for text in metrics]
    assert all(count > 0 for count in handled), handled
    for replica in replicas:
        lines = replica.log_path.read_text(encoding="utf-8").splitlines()
        assert all(json.loads(line) for line in lines if line.startswith("{")), "LOG_FORMAT=json: one object a line"
        assert "Traceback" not in replica.log(tail=10**7)
    db.dispose()


async def kill_and_restart(replica: Replica, session: aiohttp.ClientSession, fake: FakeBotApi,
                           db) -> tuple[int, datetime]:  # noqa: ANN001
    """SIGKILL the replica once the load is well under way; start it again on the same ports. Returns how many
    Telegram updates were applied when it was killed, and a moment after the kill, before it came back."""
    await eventually(lambda: len(fake.calls_to("sendMessage")) >= 15, timeout=120, what="the load to get going")
    await replica.stop(signal.SIGKILL)
    applied = sum(1 for title in titles(db) if title.startswith("T"))
    await asyncio.sleep(1.0)
    back_at = datetime.now(UTC)
    await replica.start()
    await replica.wait_ready(session)
    return applied, back_at


def held_by(db, replica: str, *, stored_before: datetime) -> set[str]:  # noqa: ANN001
    """The Telegram updates (their titles) that ``replica`` stored before ``stored_before``: the rows it held."""
    with db.reader() as session:
        rows = session.exec(select(InboxItem).where(InboxItem.platform == "telegram",
                                                    InboxItem.claimed_by == replica,
                                                    col(InboxItem.received_at) < stored_before))
        return {f"T{int(row.delivery_id.rsplit(':', 1)[1]) - 50_000}" for row in rows}


def command_count(exposition: str) -> float:
    for family in text_string_to_metric_families(exposition):
        if family.name == "devrelbot_commands":
            return sum(s.value for s in family.samples if s.name == "devrelbot_commands_total")
    return 0.0
