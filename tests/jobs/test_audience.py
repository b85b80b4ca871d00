"""The audience base: each linked Telegram group and community or digest Slack channel is counted once a day — not
again on the same day after a restart, nor by a second process — and /community and the digest show the base
with its growth."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import select

from handlers.core import ChatRef, Incoming, UserRef
from jobs.audience import sweep_audience
from storage.db import Database
from storage.models import AudienceCount
from tests.handlers.test_ask import GROUP_2, link_community
from tests.helpers import say, text_of

GROUP = ChatRef(platform="telegram", chat_id="-100777")
SLACK_CHANNEL = ChatRef(platform="slack", chat_id="C0DIGEST", workspace_id="T1")


@dataclass
class CountingMessenger:
    """Answers member counts (what getChatMemberCount / conversations.info would) and records each question."""

    platform: str
    counts: dict[str, int] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)

    async def member_count(self, chat: ChatRef) -> int:
        self.asked.append(chat.chat_id)
        return self.counts[chat.chat_id]


def slack_digest_channel(router) -> None:
    """A Slack workspace's team with a digest channel, linked to the console team as a Telegram group is."""
    admin = UserRef(platform="slack", user_id="U1", display_name="ann")
    request = Incoming(chat=SLACK_CHANNEL, user=admin, command="digest", args="here", platform_admin=True)
    assert not router.dispatch(request)[0].is_error


def counts(db: Database) -> list[tuple[str, str, int | None]]:
    with db.session() as s:
        return [(r.chat_id, r.day.isoformat(), r.count)
                for r in s.exec(select(AudienceCount).order_by(AudienceCount.day, AudienceCount.chat_id))]


async def test_each_chat_is_counted_once_a_day_across_restarts(any_router, any_db, clock):
    router, db = any_router, any_db
    link_community(router, GROUP)
    slack_digest_channel(router)
    telegram = CountingMessenger("telegram", {"-100777": 1200})
    slack = CountingMessenger("slack", {"C0DIGEST": 85})
    doors = {"telegram": telegram, "slack": slack}

    await sweep_audience(db, doors, clock=clock, worker="first-run")
    clock.advance(hours=3)
    await sweep_audience(db, doors, clock=clock, worker="first-run")
    await sweep_audience(db, doors, clock=clock, worker="after-a-restart")  # a new process, the same day
    assert (telegram.asked, slack.asked) == (["-100777"], ["C0DIGEST"])

    clock.advance(days=1)
    telegram.counts["-100777"], slack.counts["C0DIGEST"] = 1234, 84
    await sweep_audience(db, doors, clock=clock, worker="after-a-restart")
    assert counts(db) == [("-100777", "2026-11-26", 1200), ("C0DIGEST", "2026-11-26", 85),
                          ("-100777", "2026-11-27", 1234), ("C0DIGEST", "2026-11-27", 84)]


async def test_two_processes_sweeping_at_once_count_each_chat_once(router, db, clock, tmp_path):
    link_community(router, GROUP)
    slack_digest_channel(router)
    other = Database.from_url(db.engine.url.render_as_string(hide_password=False))  # a second process's engine
    first = CountingMessenger("telegram", {"-100777": 10})
    second = CountingMessenger("telegram", {"-100777": 10})
    slack = CountingMessenger("slack", {"C0DIGEST": 5})
    await asyncio.gather(
        sweep_audience(db, {"telegram": first, "slack": slack}, clock=clock, worker="a"),
        sweep_audience(other, {"telegram": second, "slack": slack}, clock=clock, worker="b"),
    )
    other.dispose()
    assert len(first.asked) + len(second.asked) == 1 and slack.asked == ["C0DIGEST"]
    assert len(counts(db)) == 2


async def test_community_shows_the_base_and_its_growth_over_the_period(router, db, clock):
    link_community(router, GROUP)
    clock.now = datetime(2026, 10, 15, 12, 0, tzinfo=UTC)
    link_community(router, GROUP_2)
    telegram = CountingMessenger("telegram", {"-100777": 990, "-100888": 70})
    await sweep_audience(db, {"telegram": telegram}, clock=clock, worker="w")
    clock.now = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)  # the last count before November
    telegram.counts.update({"-100777": 1000, "-100888": 80})
    await sweep_audience(db, {"telegram": telegram}, clock=clock, worker="w")
    clock.now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    telegram.counts.update({"-100777": 1040, "-100888": 78})
    await sweep_audience(db, {"telegram": telegram}, clock=clock, worker="w")

    # 1,040 − 1,000 = +40 and 78 − 80 = −2 over November: the counts before it are the base it grew from.
    shown = text_of(say(router, "/community month")).splitlines()
    assert shown[-1] == "• audience: 1,118 (+38) — Telegram -100777 1,040 (+40) · Telegram -100888 78 (-2)"
    shown = text_of(say(router, "/community month last")).splitlines()  # October: counted from the 15th on
    assert shown[-1] == "• audience: 1,080 (+20) — Telegram -100777 1,000 (+10) · Telegram -100888 80 (+10)"


async def test_a_platform_that_cannot_count_is_left_alone(router, db, clock):
    link_community(router, GROUP)
    result = await sweep_audience(db, {"telegram": object()}, clock=clock, worker="w")  # type: ignore[dict-item]
    assert (result.sent, result.skipped) == (0, 1) and counts(db) == [("-100777", "2026-11-26", None)]


async def test_the_digest_shows_the_base_and_its_growth_over_the_week(router, db, clock):
    from datetime import date

    from handlers.digest_content import build_report
    from handlers.markup import to_plain
    from storage.models import Team
    from storage.periods import period_containing

    say(router, '/log talk "Scaling Postgres" @ HighLoad++ 2026-11-24 audience=300')
    link_community(router, GROUP)
    telegram = CountingMessenger("telegram", {"-100777": 500})
    clock.now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # Sunday: the week before
    await sweep_audience(db, {"telegram": telegram}, clock=clock, worker="w")
    clock.now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    telegram.counts["-100777"] = 525
    await sweep_audience(db, {"telegram": telegram}, clock=clock, worker="w")

    with db.session() as s:
        team = s.exec(select(Team).order_by(Team.id)).first()  # the console's; the group's own was merged into it
        report = build_report(s, team=team, period=period_containing("week", date(2026, 11, 23)),
                              now=datetime(2026, 11, 30, 10, 0, tzinfo=UTC), with_chart=False)
    lines = to_plain(report.summary).splitlines()
    assert lines[lines.index("Community"):] == [
        "Community",
        "• 0 active (was 0) · 0 new (was 0) · 0 members",
        "• moved to orbit level 1: no one",
        "• audience: 525 (+25) — Telegram -100777 525 (+25)",
    ]
