"""/funnel on a hand-computed set. In Q4 2026 (the clock stands at 2026-11-26):

| activity          | purpose | reach | contacts | target actions | hires= | its survey answer |
| talk #1 #backend  | hiring  |   400 |       40 |             10 |      1 | "yes"             |
| post #2           | hiring  | 1,000 |       60 |             20 |      — | "partly"          |
| talk #3           | brand   |   600 |        0 |              0 |      — | "no"              |
| talk #4 (Sept.)   | hiring  | 9,999 |      999 |            999 |      9 | — another quarter |

Hires are the reported hires= only; survey answers are hiring influence, a line of their own (a hire counted in
hires= and in a survey answer would otherwise count twice).
All of Q4: reach 2,000 → contacts 100 (5.0%) → target actions 30 (30%) → hires 1 (3.3%); 0.050% overall;
survey: 2 of 3 answered yes or partly, 3 surveyed (67%).
purpose=hiring: reach 1,400 → 100 (7.1%) → 30 (30%) → 1 (3.3%); 0.071% overall; no survey line for a slice.
"""

from __future__ import annotations

from datetime import date

from handlers.core import UserRef
from storage.funnel import funnel
from storage.selection import Scope
from tests.helpers import incoming, say, text_of

CAROL = UserRef(platform="console", user_id="u-carol", display_name="carol")
DAN = UserRef(platform="console", user_id="u-dan", display_name="dan")
EVE = UserRef(platform="console", user_id="u-eve", display_name="eve")


def _hand_computed_set(router) -> None:
    say(router, '/log talk "Go at scale" @ Conf 2026-10-05 audience=400 contacts=40 target_actions=10 hires=1 '
                'purpose=hiring #backend')
    say(router, '/log post "Join us" @ Blog 2026-11-02 views=1000 contacts=60 target_actions=20 purpose=hiring')
    say(router, '/log talk "Brand talk" @ Conf 2026-11-10 audience=600 purpose=brand')
    say(router, '/log talk "Old" @ Conf 2026-09-10 audience=9999 contacts=999 target_actions=999 hires=9 '
                'purpose=hiring')
    for person in (CAROL, DAN, EVE):
        say(router, "/help", user=person)
        router.dispatch(incoming(f"/survey hire @{person.display_name}"))
    for survey_id, (person, answer) in enumerate(((CAROL, "yes 1"), (DAN, "partly 2"), (EVE, "no 3")), start=1):
        assert not say(router, f"/survey answer {survey_id} {answer}", user=person).is_error


def test_the_funnel_of_the_quarter_with_conversions_and_top_activities(router):
    _hand_computed_set(router)
    reply = say(router, "/funnel")
    text = text_of(reply)
    assert "Hiring funnel, 2026-10-01 – 2026-12-31 (so far)" in text
    assert "• reach: 2,000\n" in text
    assert "• contacts: 100 (5.0% of reach)" in text
    assert "• target actions: 30 (30% of contacts)" in text
    assert "• hires: 1 (3.3% of target actions)" in text
    assert "Hires per person reached: 0.050%" in text
    assert "• hiring influence: 67% (2 of 3 answered; 3 surveyed)" in text
    top = text.split("Contributed most\n")[1].splitlines()
    assert top[0].startswith("1. talk #1 Go at scale") and top[0].endswith(
        "1 hire · 10 target actions · 40 contacts · reach 400")
    assert top[1].startswith("2. publication #2 Join us") and "0 hires · 20 target actions" in top[1]
    # The brand talk reached people but went no further: last.
    assert top[2].endswith("— 0 hires · 0 target actions · 0 contacts · reach 600") and len(top) == 3
    assert reply.image is not None and reply.image.content.startswith(b"\x89PNG")


def test_the_funnel_sliced_by_purpose_tag_and_a_named_target_action(router):
    _hand_computed_set(router)
    say(router, '/settings actions="vacancy responses"')
    text = text_of(say(router, "/funnel quarter purpose=hiring"))
    assert "purpose: hiring" in text
    assert "• contacts: 100 (7.1% of reach)" in text
    assert "• vacancy responses: 30 (30% of contacts)" in text
    assert "• hires: 1 (3.3% of vacancy responses)" in text
    assert "Hires per person reached: 0.071%" in text
    assert "hiring influence" not in text  # a new hire answers about DevRel as a whole, not a slice
    tagged = text_of(say(router, "/funnel #backend"))
    assert "• reach: 400\n" in tagged and "• hires: 1 (10% of vacancy responses)" in tagged
    last = text_of(say(router, "/funnel last quarter"))
    assert "• hires: 9 (0.90% of vacancy responses)" in last


def test_funnel_storage_numbers(router):
    _hand_computed_set(router)
    with router.db.session() as session:
        result = funnel(session, team_id=1, start=date(2026, 10, 1), end=date(2027, 1, 1),
                        scope=Scope(purpose="hiring"))
    assert result.values == (1400, 100, 30, 1)
    assert result.conversions() == (100 / 1400, 0.3, 1 / 30)


def test_an_empty_slice_and_bad_filters(router):
    empty = say(router, "/funnel month")
    assert "No done activities in this slice yet" in text_of(empty) and empty.image is None
    bad = say(router, "/funnel purpose=sales")
    assert bad.is_error and "purpose must be hiring" in text_of(bad) and "Example: /funnel" in text_of(bad)
    bad = say(router, "/funnel year")
    assert bad.is_error and "“year” is not a filter /funnel takes" in text_of(bad)
