"""/member: who is not in the community, or not named, gets a clear reply with an example (the profile itself is
checked on the hand-computed history in test_community.py)."""

from __future__ import annotations

from tests.handlers.feedback_support import card_on, person, react
from tests.helpers import say, text_of


def test_someone_not_in_the_community_or_nobody_named_is_refused_with_an_example(router):
    nobody = say(router, "/member @nobody")
    assert nobody.is_error and "not a member of this team's community" in text_of(nobody)
    assert "/member @carol" in text_of(nobody)
    assert "Say whose profile" in text_of(say(router, "/member"))


def test_a_member_is_found_by_name_or_user_id_and_two_of_one_name_are_told_apart(router):
    card_on(router)
    react(router, "🔥", person("carol"))
    react(router, "👍", person("carol", platform="telegram"))
    react(router, "👍", person("dave"))
    assert text_of(say(router, "/member u-dave")).startswith("#3 dave")
    twice = say(router, "/member @carol")
    assert twice.is_error and "#1 (console), #2 (telegram)" in text_of(twice)
    assert "• platforms: telegram" in text_of(say(router, "/member #2"))
