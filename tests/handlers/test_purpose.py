"""An activity's purpose (hiring, brand, product, community), the team's default, and the name of its
target actions."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Activity, Team
from tests.helpers import BOB, say, text_of


def _purposes(router) -> list[tuple[str, str | None]]:
    with router.db.session() as session:
        return [(a.title, a.purpose) for a in session.exec(select(Activity).order_by(Activity.id)).all()]


def test_log_and_update_take_a_purpose_and_show_it(router):
    reply = say(router, '/log talk "Hiring Go devs" @ Conf 2026-11-20 audience=100 purpose=hiring')
    assert "purpose: hiring" in text_of(reply)
    say(router, "/update 1 purpose=brand")
    assert _purposes(router) == [("Hiring Go devs", "brand")]


def test_the_team_default_purpose_applies_when_a_line_names_none(router):
    say(router, '/log talk "Before" @ Conf 2026-11-20')
    changed = say(router, "/settings purpose=hiring")
    assert "default purpose: hiring" in text_of(changed)
    say(router, '/log talk "After" @ Conf 2026-11-20')
    say(router, '/log post "Own" @ Blog 2026-11-20 purpose=product')
    say(router, "/settings purpose=none")
    say(router, '/log talk "Reset" @ Conf 2026-11-20')
    assert _purposes(router) == [("Before", None), ("After", "hiring"), ("Own", "product"), ("Reset", None)]


def test_target_actions_get_the_team_s_name(router):
    reply = say(router, '/settings actions="vacancy responses"')
    assert "target actions are called: vacancy responses" in text_of(reply)
    with router.db.session() as session:
        assert session.exec(select(Team.target_action_name)).one() == "vacancy responses"
    say(router, "/goal quarter actions=40")
    assert "0 of 40 vacancy responses · 0% · behind" in text_of(say(router, "/goal"))


def test_a_wrong_purpose_is_refused_and_changes_nothing(router):
    say(router, "/help")  # alice joins first (a refused command alone leaves nothing, not even her membership)
    bad = say(router, '/log talk "X" @ Conf 2026-11-20 purpose=fun')
    assert bad.is_error and "purpose must be hiring, brand, product or community, not “fun”" in text_of(bad)
    assert "Example: /log talk" in text_of(bad)
    bad = say(router, "/settings purpose=sales")
    assert bad.is_error and "“sales”" in text_of(bad) and "Example: /settings purpose=hiring" in text_of(bad)
    assert _purposes(router) == []
    say(router, "/help", user=BOB)
    assert say(router, "/settings purpose=hiring", user=BOB).is_error


def test_hires_is_a_metric_of_every_kind(router):
    reply = say(router, '/log meetup "Go Meetup" @ Office 2026-11-20 audience=80 target_actions=12 hires=2')
    assert "• hires: 2" in text_of(reply) and "• target_actions: 12" in text_of(reply)
