"""The digest's community section and chart panel on a hand-computed week: who was active and new against the week
before, who moved into orbit level 1, and the community poll that closed."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from handlers.core import PollAnswer
from handlers.digest_content import build_report, dashboard_layout
from handlers.markup import to_plain
from storage.models import Team
from storage.periods import period_containing, periods_back
from tests.handlers.feedback_support import person, posted, react
from tests.helpers import incoming, say

WEEK = period_containing("week", date(2026, 11, 16))  # Mon 16 – Sun 22 Nov
DIGEST_AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


def test_the_community_section_and_panel_of_a_week_by_hand(router, db, clock):
    clock.now = at(9)
    say(router, '/log talk "Before" @ Conf 2026-11-10 audience=100')
    posted(router, say(router, "/feedback 1"))
    clock.now = at(12)
    react(router, "🔥", person("carol"))  # the week before: carol is new and active
    clock.now = at(24)
    for day in range(16, 21):  # five events; gina attends all: 5 × 0.5^(age/30) each, 22.5 at the week's end
        say(router, f'/log meetup "Meetup {day}" @ Hall 2026-11-{day} audience=10')
        say(router, f"/attended {day - 14} @gina")
    clock.now = at(17)
    say(router, "/settings polls=public")
    poll, _note = router.dispatch(incoming('/ask "Next meetup?" Kubernetes | Rust'))
    posted(router, poll, message_id="m-poll", poll_id="p-1")
    router.handle_event(PollAnswer(poll_id="p-1", user=person("carol"), option_ids=(1,)))  # carol is back
    clock.now = at(18)
    react(router, "👍", person("dave"))
    clock.now = at(20)
    say(router, "/ask close 1")
    clock.now = DIGEST_AT

    with db.session() as s:
        team = s.exec(select(Team)).one()
        report = build_report(s, team=team, period=WEEK, now=DIGEST_AT, with_chart=False)
        layout = dashboard_layout(s, team=team, period=WEEK, buckets=periods_back(WEEK, 3), now=DIGEST_AT,
                                  title="t")
    lines = to_plain(report.summary).splitlines()
    community = lines[lines.index("Community"):]
    assert community == [
        "Community",
        "• 3 active (was 1) · 2 new (was 1) · 3 members",  # gina, carol, dave; gina and dave are new
        "• moved to orbit level 1: gina",
        "• poll #1 “Next meetup?”: Rust — 1 of 1 person",
    ]
    panel = layout.panels[-1]
    assert panel.title == "Community members"
    assert [s.values for s in panel.series] == [(0.0, 1.0, 3.0), (0.0, 1.0, 2.0)]  # active, new by week


def test_no_community_no_section(router, db):
    say(router, '/log talk "Alone" @ Conf 2026-11-17 audience=100')
    with db.session() as s:
        report = build_report(s, team=s.exec(select(Team)).one(), period=WEEK, now=DIGEST_AT, with_chart=False)
    assert "Community" not in to_plain(report.summary)
