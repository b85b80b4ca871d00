from __future__ import annotations

import re

from sqlmodel import func, select
from typer.testing import CliRunner

from bot.cli import app
from bot.demo import demo_commands, fill_demo
from storage.models import Activity, ChatBinding, CommunityMember, Goal, HireSurvey, Member, Team, Vote
from storage.teams import clear_ledger
from tests.helpers import say, team_of, text_of


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
    # Only items due up to today count (December's are not misses yet); some were late or missed.
    assert 40 <= fulfilment < 100 and "(14 of 16 due items done on time)" in stats
    talks = text_of(say(router, "/talks", chat=LOCAL_CHAT))
    assert max(int(n) for n in re.findall(r"given (\d+) times?", talks)) >= 2  # talks given again: re-use


def test_demo_is_the_same_for_the_same_seed():
    from datetime import date

    assert demo_commands(date(2026, 11, 26), weeks=4, seed=1) == demo_commands(date(2026, 11, 26), weeks=4, seed=1)


def test_the_demo_plan_has_hits_late_items_and_misses(router, db, clock):
    fill_demo(router, weeks=13, seed=7)
    today = clock().date()

    with db.session() as s:
        plan = s.exec(select(Activity).where(Activity.title.startswith("Planned post"))).all()
    on_time = [a for a in plan if a.status == "done" and a.done_on <= a.due_date]
    late = [a for a in plan if a.status == "done" and a.done_on > a.due_date]
    missed = [a for a in plan if a.status == "planned" and a.due_date < today]
    assert len(plan) == 26 and on_time and late and missed
    assert len(on_time) + len(late) + len(missed) == 26  # every item is past its due date


def _counts(db) -> dict[str, int]:
    with db.session() as s:
        return {table.__name__: s.exec(select(func.count()).select_from(table)).one()
                for table in (Activity, Goal, HireSurvey, Vote, CommunityMember, Team, Member, ChatBinding)}


def test_a_second_demo_adds_nothing_and_reset_replaces_the_data(db, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", str(db.engine.url))
    runner = CliRunner()

    first = runner.invoke(app, ["demo", "--weeks", "2"])
    assert first.exit_code == 0, first.output
    stored = int(re.search(r"Added (\d+) demo activities", first.output).group(1))
    after_first = _counts(db)
    assert after_first["Activity"] == stored and after_first["Goal"] == 6  # talks, publications, reach, …

    second = runner.invoke(app, ["demo", "--weeks", "2"])
    assert second.exit_code == 0, second.output
    assert f"The local team already has data ({stored} activities), so the demo added nothing." in second.output
    assert "devrelbot demo --reset" in second.output
    assert _counts(db) == after_first  # nothing doubled

    with db.session() as s:
        old_ids = set(s.exec(select(Activity.id)).all())
    reset = runner.invoke(app, ["demo", "--weeks", "2", "--reset"])
    assert reset.exit_code == 0, reset.output
    assert f"Replaced the local team's data with {stored} demo activities" in reset.output
    assert _counts(db) == after_first  # the same demo again: the same amount of everything, once
    with db.session() as s:
        assert not old_ids & set(s.exec(select(Activity.id)).all())  # all of it new, none of it left over


def test_clearing_a_ledger_keeps_the_team_its_settings_and_members(any_router, any_db):
    say(any_router, "/settings currency=EUR")
    say(any_router, '/log talk "T" @ Conf 2026-11-20 audience=100 #backend')
    say(any_router, "/goal quarter talks=3")
    team = team_of(any_db)

    with any_db.session() as s:
        clear_ledger(s, team_id=team.id)
        s.commit()

    counts = _counts(any_db)
    assert counts["Activity"] == counts["Goal"] == 0
    assert counts["Team"] == counts["Member"] == counts["ChatBinding"] == 1
    assert team_of(any_db).currency == "EUR"
    assert "Nothing logged here yet" in text_of(say(any_router, "/list"))


def test_a_slice_of_the_demo_has_a_plan_of_its_own(router):
    from bot.console import LOCAL_CHAT

    fill_demo(router, weeks=13, seed=7)

    stats = text_of(say(router, "/stats quarter #backend", chat=LOCAL_CHAT))
    assert re.search(r"plan fulfilment: \d+% \(\d+ of \d+ due items? done on time\)", stats), stats
