from __future__ import annotations

import re

from sqlmodel import select

from bot.demo import demo_commands, fill_demo
from storage.models import Activity
from tests.helpers import say, text_of


def test_demo_fills_a_quarter_that_stats_and_talks_can_show(router, db, clock):
    count = fill_demo(router, weeks=13, seed=7)

    with db.session() as s:
        activities = s.exec(select(Activity)).all()
    assert len(activities) == count > 30
    assert {a.kind for a in activities} == {"talk", "event", "partnership", "publication", "social"}
    assert any(a.status == "planned" for a in activities)
    from bot.console import LOCAL_CHAT

    stats = text_of(say(router, "/stats quarter", chat=LOCAL_CHAT))
    assert "• reach: " in stats and "Nothing done" not in stats
    fulfilment = int(re.search(r"plan fulfilment: (\d+)%", stats).group(1))
    assert 50 <= fulfilment < 100
    talks = text_of(say(router, "/talks", chat=LOCAL_CHAT))
    assert max(int(n) for n in re.findall(r"given (\d+) times?", talks)) >= 2  # talks given again: re-use


def test_demo_is_the_same_for_the_same_seed():
    from datetime import date

    assert demo_commands(date(2026, 11, 26), weeks=4, seed=1) == demo_commands(date(2026, 11, 26), weeks=4, seed=1)
