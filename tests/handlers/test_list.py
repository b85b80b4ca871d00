"""/list: newest first, narrowed by kind, period, @person and #tag."""

from __future__ import annotations

from tests.helpers import BOB, say, text_of


def test_list_filters_by_kind_period_person_and_tag(router):
    say(router, '/log talk "Old talk" @ Conf 2026-10-01 #backend')
    say(router, '/log talk "This week talk" @ Conf 2026-11-24 #backend')
    say(router, '/log post "This month post" @ Blog 2026-11-03 views=100 #frontend')
    say(router, '/log post "Bob post" @ Blog 2026-11-25 views=5', user=BOB)

    def titles(line: str) -> list[str]:
        text = text_of(say(router, line))
        return [t for t in ("Old talk", "This week talk", "This month post", "Bob post") if t in text]

    assert titles("/list") == ["Old talk", "This week talk", "This month post", "Bob post"]
    assert titles("/list talk") == ["Old talk", "This week talk"]
    assert titles("/list week") == ["This week talk", "Bob post"]
    assert titles("/list month publication") == ["This month post", "Bob post"]
    assert titles("/list @bob") == ["Bob post"]
    assert titles("/list #backend quarter") == ["Old talk", "This week talk"]
    assert titles("/list all #frontend") == ["This month post"]


def test_list_is_newest_first_and_bad_filters_are_explained(router):
    say(router, '/log talk "A" @ Conf 2026-11-01')
    say(router, '/log talk "B" @ Conf 2026-11-10')
    text = text_of(say(router, "/list"))
    assert text.index("talk #2 B") < text.index("talk #1 A")
    bad = say(router, "/list yesterday")
    assert bad.is_error and "yesterday" in text_of(bad) and "Example: /list" in text_of(bad)
    assert "No one in this team" in text_of(say(router, "/list @ghost"))


def test_empty_list_invites_a_first_log(router):
    assert "Nothing logged here yet" in text_of(say(router, "/list"))
