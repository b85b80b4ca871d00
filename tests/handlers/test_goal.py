"""/goal: targets per period, with a tag or a person, and progress against them in /goal, /stats and /report.

The clock stands at Thursday 2026-11-26: 57 of Q4's 92 days are gone (62%), 26 of November's 30 (87%)."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Goal
from tests.helpers import BOB, incoming, say, text_of


def _goals(router) -> list[Goal]:
    with router.db.session() as session:
        return list(session.exec(select(Goal).order_by(Goal.id)).all())


def test_quarter_goals_with_progress_and_pace_on_literal_values(router):
    say(router, "/help")  # alice is the first member: the admin
    reply = say(router, "/goal quarter talks=12 publications=24 reach=500k contacts=300 nps=50 hires=5")
    assert "Set 6 goals" in text_of(reply)
    for i in range(8):
        say(router, f'/log talk "T{i}" @ Conf 2026-10-{i + 1:02d} audience=1000 contacts=10')
    say(router, '/log post "P" @ Blog 2026-11-02 views=20k hires=1')
    say(router, '/log talk "Next year" @ Conf 2026-12-20 audience=999')  # planned: does not count

    text = text_of(say(router, "/goal"))
    # 8 of 12 talks with 62% gone: 7.4 were due by now, so on track; reach 28k of 500k is far behind.
    assert "• #1 Q4 2026: 8 of 12 talks · 67% · on track" in text
    assert "• #2 Q4 2026: 1 of 24 publications · 4% · behind" in text
    assert "• #3 Q4 2026: reach 28,000 of 500,000 · 6% · behind" in text
    assert "• #4 Q4 2026: 80 of 300 contacts · 27% · behind" in text
    assert "• #5 Q4 2026: NPS — (target +50) · no answers yet" in text
    assert "• #6 Q4 2026: 1 of 5 hires · 20% · behind" in text
    goals = _goals(router)
    assert [(g.metric, g.target, g.period, str(g.start), str(g.end)) for g in goals][:2] == [
        ("talks", 12.0, "quarter", "2026-10-01", "2027-01-01"),
        ("publications", 24.0, "quarter", "2026-10-01", "2027-01-01"),
    ]


def test_seven_of_twelve_is_behind_at_62_percent_of_the_quarter(router):
    say(router, "/goal quarter talks=12")
    for i in range(7):
        say(router, f'/log talk "T{i}" @ Conf 2026-11-{i + 1:02d} audience=10')
    assert "7 of 12 talks · 58% · behind" in text_of(say(router, "/goal"))


def test_a_goal_with_a_tag_and_one_with_a_person_count_only_theirs(router):
    say(router, "/help")
    say(router, "/help", user=BOB)
    say(router, "/goal month talks=4 #backend")
    say(router, "/goal month publications=2 @bob")
    say(router, '/log talk "Go" @ Conf 2026-11-03 audience=10 #backend')
    say(router, '/log talk "Rust" @ Conf 2026-11-04 audience=10 #backend #mobile')
    say(router, '/log talk "CSS" @ Conf 2026-11-05 audience=10 #frontend')
    say(router, '/log post "Bob\'s" @ Blog 2026-11-06 views=10', user=BOB)
    say(router, '/log post "Alice\'s" @ Blog 2026-11-07 views=10')

    text = text_of(say(router, "/goal"))
    # November is 87% gone: 2 of 4 is behind (3.5 were due); bob's one post of 2 is behind too.
    assert "• #1 November 2026 #backend: 2 of 4 talks · 50% · behind" in text
    assert "• #2 November 2026 @bob: 1 of 2 publications · 50% · behind" in text
    # Bob's goal is counted on his post only, not alice's.
    say(router, '/log post "Bob again" @ Blog 2026-11-08 views=10', user=BOB)
    assert "• #2 November 2026 @bob: 2 of 2 publications · 100% · reached" in text_of(say(router, "/goal"))


def test_setting_a_goal_again_changes_its_target_and_drop_removes_it(router):
    say(router, "/goal quarter talks=12")
    reply = say(router, "/goal quarter talks=10")
    assert "Changed the target of 1 goal" in text_of(reply)
    assert [(g.id, g.target) for g in _goals(router)] == [(1, 10.0)]
    dropped = say(router, "/goal drop 1")
    assert "Dropped goal #1 (Q4 2026)" in text_of(dropped)
    assert _goals(router) == []
    assert "No goals yet" in text_of(say(router, "/goal"))


def test_next_year_and_levels(router):
    say(router, "/goal next year rating=4.5")
    goal = _goals(router)[0]
    assert (goal.period, str(goal.start), str(goal.end), goal.target) == ("year", "2027-01-01", "2028-01-01", 4.5)
    assert "• #1 2027: rating — (target 4.5) · no answers yet" in text_of(say(router, "/goal"))


def test_progress_shows_in_stats_and_report(router):
    say(router, "/goal quarter talks=12")
    for i in range(8):
        say(router, f'/log talk "T{i}" @ Conf 2026-10-{i + 1:02d} audience=10')
    stats = text_of(say(router, "/stats quarter"))
    assert "Goals\n• Q4 2026: 8 of 12 talks · 67% · on track" in stats
    report = text_of(router.dispatch(incoming("/report quarter"))[0])
    assert "• Q4 2026: 8 of 12 talks · 67% · on track" in report
    # A period with no goal shows none.
    assert "Goals" not in text_of(say(router, "/stats week")).split("\n")[0]


def test_bad_goals_are_refused_and_change_nothing(router):
    say(router, "/help")
    cases = {
        "/goal talks=12": "Say which period",
        "/goal quarter": "at least one target",
        "/goal quarter speeches=3": "not a metric",
        "/goal quarter talks=many": "whole number",
        "/goal quarter talks=0": "no goal",
        "/goal quarter nps=150": "-100 to 100",
        "/goal quarter talks=3 talks=4": "given twice",
        "/goal quarter talks=3 @nobody": "No one in this team",
        "/goal week talks=3": "I don't know what",
        "/goal drop 99": "no goal #99",
    }
    for line, expected in cases.items():
        reply = say(router, line)
        assert reply.is_error and expected in text_of(reply), (line, text_of(reply))
        assert "Example: /goal" in text_of(reply)
    assert _goals(router) == []


def test_only_admins_set_or_drop_goals(router):
    say(router, "/help")  # alice: admin
    say(router, "/goal quarter talks=12")
    refused = say(router, "/goal quarter talks=1", user=BOB)
    assert refused.is_error and "admin" in text_of(refused)
    assert say(router, "/goal drop 1", user=BOB).is_error
    assert [(g.id, g.target) for g in _goals(router)] == [(1, 12.0)]
    assert "12 talks" in text_of(say(router, "/goal", user=BOB))
