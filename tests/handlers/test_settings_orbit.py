"""/settings orbit: a team's own community weights and level thresholds, used by /member, /community, the digest
and the export; bad values are refused with an example and change nothing."""

from __future__ import annotations

import pytest

from tests.handlers.feedback_support import TALK, person, posted, react
from tests.helpers import BOB, say, team_of, text_of

DEFAULTS = ("• community weights: reaction 1 · poll answer 2 · attendance 5 · talk 10; orbit levels from 20 / 8 / 3 "
            "(1 / 2 / 3)")


def test_a_team_weighs_reactions_more_and_lowers_the_levels(router, db, clock):
    say(router, TALK)
    posted(router, say(router, "/feedback 1"))
    react(router, "🔥", person("carol"))
    assert DEFAULTS in text_of(say(router, "/settings")).splitlines()
    assert "orbit level 4 (score 1.0)" in text_of(say(router, "/member @carol"))

    refused = say(router, "/settings orbit reaction=4", user=BOB, admin=False)
    assert refused.is_error and team_of(db).orbit is None
    changed = text_of(say(router, "/settings orbit reaction=4 levels=10/5/2"))
    assert ("• community weights: reaction 4 · poll answer 2 · attendance 5 · talk 10; orbit levels from 10 / 5 / 2 "
            "(1 / 2 / 3)") in changed
    assert "orbit level 3 (score 4.0)" in text_of(say(router, "/member @carol"))  # 4 ≥ 2
    assert text_of(say(router, "/community")).splitlines()[-1] == "1. carol — 4.0 (level 3)"
    clock.advance(days=30)  # half of it: 4 × 0.5 = 2.0, still level 3 here (1.0 and level 4 by default)
    assert "orbit level 3 (score 2.0)" in text_of(say(router, "/member @carol"))

    say(router, "/settings orbit default")
    assert team_of(db).orbit is None and "orbit level 4 (score 0.5)" in text_of(say(router, "/member @carol"))


@pytest.mark.parametrize(("words", "says"), [
    ("reaction=-1", "reaction is a weight from 0 to 100"),
    ("talk=lots", "talk is a weight from 0 to 100"),
    ("levels=3/8/20", "highest first, like 20/8/3"),
    ("levels=20/8", "highest first, like 20/8/3"),
    ("karma=3", "is not an orbit setting"),
])
def test_bad_orbit_settings_are_refused_and_change_nothing(router, db, words, says):
    say(router, "/help")
    reply = say(router, f"/settings orbit {words}")
    assert reply.is_error and says in text_of(reply) and "Example" in text_of(reply)
    assert team_of(db).orbit is None
