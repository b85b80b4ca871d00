"""One person's reactions and poll answers on a card take effect in the order the platform stamped them: a
late delivery of an older toggle never overrides a newer one, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import timedelta

from sqlmodel import select

from handlers.core import ChatRef, PollAnswer, ReactionEvent
from handlers.router import Router
from storage.models import VoteOrder
from tests.conftest import Clock
from tests.handlers.feedback_support import GROUP, TALK, card_on, person, posted
from tests.helpers import TEAM_CHAT, incoming, say, text_of, votes

CAROL = person("carol", platform="slack")


def toggle(router: Router, emoji: str, *, added: bool, stamp: int) -> None:
    router.handle_event(ReactionEvent(chat=TEAM_CHAT, message_id="m-1", user=CAROL, emoji=emoji, added=added,
                                      stamp=stamp))


def test_an_older_removal_arriving_late_does_not_withdraw_a_newer_vote(any_router):
    card_on(any_router)
    toggle(any_router, "🔥", added=True, stamp=300)
    toggle(any_router, "🔥", added=False, stamp=200)  # she removed an earlier 🔥; this one is newer
    assert votes(any_router.db) == {"slack:u-carol": 5}


def test_an_older_addition_arriving_late_does_not_bring_a_withdrawn_vote_back(any_router):
    card_on(any_router)
    toggle(any_router, "🔥", added=False, stamp=300)  # the removal got here first
    toggle(any_router, "🔥", added=True, stamp=200)
    assert votes(any_router.db) == {}


def test_rapid_toggles_in_any_order_end_in_the_newest(any_router):
    card_on(any_router)
    # Her clicks, in the order she made them: 🔥, un-🔥, 👍, un-👍, 👎 — delivered newest first.
    made = [("🔥", True), ("🔥", False), ("👍", True), ("👍", False), ("👎", True)]
    for stamp, (emoji, added) in reversed(list(enumerate(made, start=1))):
        toggle(any_router, emoji, added=added, stamp=stamp)
    assert votes(any_router.db) == {"slack:u-carol": 1}


def test_every_arrival_order_of_a_persons_changes_ends_in_the_same_vote(router):
    """All 24 orders of 🔥, un-🔥, 👍, un-👍 end with no vote; all 120 orders with a 👎 after them end in 👎."""
    card_on(router)
    made = [("🔥", True), ("🔥", False), ("👍", True), ("👍", False), ("👎", True)]
    expected = {}
    for length in (4, 5):
        stamped = list(enumerate(made[:length], start=1))
        for n, order in enumerate(itertools.permutations(stamped)):
            voter = person(f"p{length}-{n}", platform="slack")
            for stamp, (emoji, added) in order:
                router.handle_event(ReactionEvent(chat=TEAM_CHAT, message_id="m-1", user=voter, emoji=emoji,
                                                  added=added, stamp=stamp))
            if length == 5:
                expected[f"slack:{voter.user_id}"] = 1
    assert votes(router.db) == expected


def test_deliveries_without_a_stamp_apply_in_arrival_order(router):
    card_on(router)
    toggle(router, "🔥", added=True, stamp=5)
    router.handle_event(ReactionEvent(chat=TEAM_CHAT, message_id="m-1", user=CAROL, emoji="👍", added=True))
    assert votes(router.db) == {"slack:u-carol": 4}


def test_each_voter_is_ordered_on_their_own(router):
    card_on(router)
    toggle(router, "🔥", added=True, stamp=500)
    dave = person("dave", platform="slack")
    router.handle_event(ReactionEvent(chat=TEAM_CHAT, message_id="m-1", user=dave, emoji="👍", added=True, stamp=100))
    assert votes(router.db) == {"slack:u-carol": 5, "slack:u-dave": 4}


def test_a_stamp_a_day_old_no_longer_blocks(router, clock: Clock):
    """Telegram starts its update ids over at a random number after a week without updates."""
    card_on(router)
    toggle(router, "🔥", added=True, stamp=9_000)
    clock.now += timedelta(days=8)
    toggle(router, "👎", added=True, stamp=12)
    assert votes(router.db) == {"slack:u-carol": 1}


def test_late_poll_answers_do_not_override_newer_ones(router):
    say(router, TALK)
    say(router, "/settings polls=public")
    posted(router, say(router, "/poll 1"), chat=GROUP, message_id="10", poll_id="p-1")
    alice = person("alice", platform="telegram")
    router.handle_event(PollAnswer(poll_id="p-1", user=alice, option_ids=(), stamp=41))  # retracted, newest
    router.handle_event(PollAnswer(poll_id="p-1", user=alice, option_ids=(4,), stamp=40))
    assert votes(router.db) == {}
    router.handle_event(PollAnswer(poll_id="p-1", user=alice, option_ids=(2,), stamp=42))
    router.handle_event(PollAnswer(poll_id="p-1", user=alice, option_ids=(0,), stamp=39))
    assert votes(router.db) == {"telegram:u-alice": 3}


def test_a_late_poll_button_click_changes_nothing_and_says_nothing(router):
    say(router, TALK)
    posted(router, say(router, "/poll 1"))
    dan = person("dan")
    newer = replace(incoming("/vote 1 5", user=dan), stamp=2_000)
    older = replace(incoming("/vote 1 2", user=dan), stamp=1_000)
    assert router.dispatch(newer)
    assert router.dispatch(older) == []
    assert votes(router.db) == {"console:u-dan": 5}


def test_forget_me_erases_the_stamps_that_name_the_voter(router):
    card_on(router)
    toggle(router, "🔥", added=True, stamp=1)
    carol_dm = ChatRef(platform="slack", chat_id=CAROL.user_id, is_private=True)
    assert "vote is now an anonymous count" in text_of(say(router, "/forget me", user=CAROL, chat=carol_dm))
    with router.db.reader() as session:
        assert session.exec(select(VoteOrder)).all() == []
