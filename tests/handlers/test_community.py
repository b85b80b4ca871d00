"""/community through the router: reactions and named poll answers make community members (anonymous answers
never do), and a month of them against the previous one — with the profile /member shows and /forget me, on the
same hand-computed history."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from handlers.core import ChatRef, PollAnswer
from storage.models import CommunityMember, Interaction
from tests.handlers.feedback_support import TALK, person, posted, react
from tests.helpers import say, text_of, votes


def members(db) -> dict[str, int]:
    """Community members by name, with how many interactions each has."""
    with db.session() as s:
        people = s.exec(select(CommunityMember)).all()
        return {m.display_name: len(s.exec(select(Interaction).where(Interaction.member_id == m.id)).all())
                for m in people}


def test_reactions_and_named_answers_make_members_and_anonymous_answers_do_not(router, db):
    say(router, TALK)
    posted(router, say(router, "/feedback 1"))
    react(router, "🔥", person("carol"))
    react(router, "👍", person("carol"))  # a changed reaction is still one interaction
    react(router, "🤷", person("dave"))  # not a rating emoji: no vote, no member
    react(router, "🔥", person("helper", is_bot=True))
    assert members(db) == {"carol": 1}

    posted(router, say(router, "/poll 1"), message_id="m-anon")  # anonymous by default
    say(router, "/vote 2 4", user=person("erin"))
    assert votes(db)["console:u-erin"] == 4 and "erin" not in members(db)

    say(router, "/settings polls=public")
    posted(router, say(router, "/poll 1 nps"), message_id="m-named", poll_id="p-named")
    router.handle_event(PollAnswer(poll_id="p-named", user=person("frank"), option_ids=(9,)))
    assert members(db) == {"carol": 1, "frank": 1}
    router.handle_event(PollAnswer(poll_id="p-named", user=person("frank"), option_ids=()))  # taken back
    react(router, "👍", person("carol"), added=False)
    assert members(db) == {"carol": 0, "frank": 0}  # still members, with nothing to score


def test_a_month_of_the_community_against_the_previous_one_a_profile_and_forget_me(router, db, clock):
    clock.now = datetime(2026, 8, 10, 12, 0, tzinfo=UTC)
    say(router, TALK)
    posted(router, say(router, "/feedback 1"))
    react(router, "🔥", person("fred"))  # 108 days before the end: gone from every orbit by then
    clock.now = datetime(2026, 9, 26, 12, 0, tzinfo=UTC)
    react(router, "🔥", person("erin"))
    clock.now = datetime(2026, 10, 27, 12, 0, tzinfo=UTC)
    react(router, "🔥", person("carol"))  # 30 days before the end: worth 0.5 then
    clock.now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    say(router, "/settings polls=public")
    for n, line in enumerate(("/poll 1", "/poll 1 nps"), start=1):
        posted(router, say(router, line), message_id=f"m-poll-{n}", poll_id=f"p-{n}")
        router.handle_event(PollAnswer(poll_id=f"p-{n}", user=person("carol"), option_ids=(4,)))  # 2 each
    react(router, "👍", person("dave"))
    react(router, "👍", person("erin"))  # back after a quiet October

    shown = text_of(say(router, "/community month"))
    assert shown.splitlines() == [
        "Community this month (2026-11-01 – 2026-11-30) against the previous one (2026-10-01 – 2026-10-31)",
        "• members: 4 (was 3)",
        "• active: 3 (was 1)",
        "• newcomers: 1 (was 1)",
        "• returning: 1 (was 0)",
        "• by orbit level: 1: 0 · 2: 0 · 3: 1 · 4: 2",
        "• moved closer: carol (4→3), dave (—→4), erin (—→4)",
        "• drifted away: fred (4→—)",
        "Top 3",
        "1. carol — 4.5 (level 3)",
        "2. dave — 1.0 (level 4)",
        "3. erin — 1.0 (level 4)",
    ]
    assert "members: 4 (was 3)" in text_of(say(router, "/community"))  # a month by default

    profile = text_of(say(router, "/member @carol"))
    assert profile.splitlines()[1:] == [
        "• orbit level 3 (score 4.5); a month ago: 4 — moving closer",
        "• first seen: 2026-10-27",
        "• last seen: 2026-11-26",
        "• platforms: console",
        "• votes with a reaction: 1",
        "• polls answered: 2",
        "• events attended: 0",
        "• talks given at the team's events: 0",
    ]
    assert "#" in profile.splitlines()[0] and "carol" in profile.splitlines()[0]

    show_before = text_of(say(router, "/show 1"))
    carol_dm = ChatRef(platform="console", chat_id="u-carol", is_private=True)
    refused = say(router, "/forget me", user=person("carol"))
    assert refused.is_error and "private chat" in text_of(refused)
    assert "carol" in members(db)
    done = say(router, "/forget me", user=person("carol"), chat=carol_dm)
    assert "3 votes are now anonymous counts" in text_of(done)
    assert "carol" not in members(db) and "console:u-carol" not in votes(db)
    assert text_of(say(router, "/show 1")) == show_before
    assert say(router, "/member carol").is_error
    assert "members: 3 (was 2)" in text_of(say(router, "/community"))
    again = say(router, "/forget me", user=person("carol"), chat=carol_dm)
    assert "nothing about you" in text_of(again)


def test_a_period_that_is_not_one_is_refused_with_an_example(router):
    wrong_period = say(router, "/community year")
    assert wrong_period.is_error and "“year” is not a period" in text_of(wrong_period)
    assert "/community month" in text_of(wrong_period)
