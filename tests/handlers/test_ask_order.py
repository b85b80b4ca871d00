"""One person's answers to an /ask poll take effect in the order the platform stamped them (a Telegram poll answer's
update id, a Slack click's action_ts): a late delivery of an older answer never overrides a newer one, on SQLite
and PostgreSQL."""

from __future__ import annotations

import itertools
from dataclasses import replace

from sqlmodel import select

from handlers.core import ChatRef, PollAnswer
from handlers.router import Router
from storage.models import CommunityPollAnswer, CommunityPollOrder
from tests.conftest import Clock
from tests.handlers.feedback_support import person, posted
from tests.helpers import incoming, say, text_of

QUESTION = '/ask "Next meetup?" Kubernetes | Rust | Postgres public'
ALICE_TG = person("alice", platform="telegram")
DAN = person("dan", platform="slack")


def answers(router: Router) -> dict[str, list[int]]:
    """Each voter's options, as stored."""
    with router.db.reader() as session:
        rows = session.exec(select(CommunityPollAnswer).order_by(CommunityPollAnswer.voter,
                                                                 CommunityPollAnswer.option)).all()
    found: dict[str, list[int]] = {}
    for row in rows:
        found.setdefault(row.voter, []).append(row.option)
    return found


def native_poll(router: Router, line: str = QUESTION, *, poll_id: str = "p-1", message_id: str = "10") -> None:
    """A poll asked here whose copy the door sent as a native poll (Telegram's)."""
    poll, _note = router.dispatch(incoming(line))
    posted(router, poll, message_id=message_id, poll_id=poll_id)


def answer(router: Router, options: tuple[int, ...], stamp: int | None) -> None:
    router.handle_event(PollAnswer(poll_id="p-1", user=ALICE_TG, option_ids=options, stamp=stamp))


def test_late_telegram_answers_do_not_override_newer_ones(any_router):
    native_poll(any_router)
    answer(any_router, (), stamp=41)  # taken back: her newest
    answer(any_router, (1,), stamp=40)  # an older answer, delivered late
    assert answers(any_router) == {}
    answer(any_router, (2,), stamp=42)
    answer(any_router, (0,), stamp=39)
    assert answers(any_router) == {"telegram:u-alice": [2]}
    assert "Postgres — 1 (100%)" in text_of(say(any_router, "/ask results 1"))


def test_every_arrival_order_of_a_persons_answers_ends_in_the_newest(router):
    """Telegram numbers updates in the order it made them: whatever order they arrive in, the last one counts."""
    changes = [((0,), 10), ((0, 2), 11), ((), 12), ((1, 2), 13)]  # a multi poll: the whole answer each time
    for number, order in enumerate(itertools.permutations(changes), start=1):
        native_poll(router, QUESTION + " multi", poll_id=f"p-{number}", message_id=str(100 + number))
        for options, stamp in order:
            router.handle_event(PollAnswer(poll_id=f"p-{number}", user=ALICE_TG, option_ids=options, stamp=stamp))
        with router.db.reader() as session:
            chosen = sorted(session.exec(select(CommunityPollAnswer.option).where(
                CommunityPollAnswer.poll_id == number)).all())
        assert chosen == [1, 2], order


def test_each_person_and_each_poll_is_ordered_on_its_own(router):
    native_poll(router)
    answer(router, (0,), stamp=500)
    router.handle_event(PollAnswer(poll_id="p-1", user=person("bob", platform="telegram"), option_ids=(1,), stamp=7))
    assert answers(router) == {"telegram:u-alice": [0], "telegram:u-bob": [1]}


def test_answers_without_a_stamp_apply_in_arrival_order(router):
    native_poll(router)
    answer(router, (0,), stamp=None)
    answer(router, (1,), stamp=None)
    assert answers(router) == {"telegram:u-alice": [1]}


def test_a_stamp_a_day_old_no_longer_blocks(router, clock: Clock):
    """Telegram restarts its update ids after a week without updates: a fresh small number is newer."""
    native_poll(router)
    answer(router, (0,), stamp=900_000)
    clock.advance(days=2)
    answer(router, (2,), stamp=5)
    assert answers(router) == {"telegram:u-alice": [2]}


def test_a_late_slack_click_on_a_one_answer_poll_changes_nothing_and_says_nothing(any_router):
    poll, _note = any_router.dispatch(incoming(QUESTION))
    posted(any_router, poll, message_id="m-1")
    newer = replace(incoming("/ask answer 1 Rust", user=DAN), stamp=1_700_000_200_000_000)
    older = replace(incoming("/ask answer 1 Postgres", user=DAN), stamp=1_700_000_100_000_000)
    (reply,) = any_router.dispatch(newer)
    assert "Your answer: Rust" in text_of(reply)
    assert any_router.dispatch(older) == []
    assert answers(any_router) == {"slack:u-dan": [1]}
    # A later click still changes it.
    later = replace(incoming("/ask answer 1 Kubernetes", user=DAN), stamp=1_700_000_300_000_000)
    assert "Your answer: Kubernetes" in text_of(any_router.dispatch(later)[0])
    assert answers(any_router) == {"slack:u-dan": [0]}


def test_multi_poll_clicks_arriving_out_of_order_end_in_the_same_answer(router):
    """On a poll with several answers a click toggles one option; toggles commute, so every arrival order of
    the same clicks leaves the same answer (and none of them is dropped as late)."""
    clicks = [("Rust", 1_000), ("Postgres", 2_000), ("Rust", 3_000)]
    for number, order in enumerate(itertools.permutations(clicks), start=1):
        poll, _note = router.dispatch(incoming('/ask "Which?" Kubernetes | Rust | Postgres multi'))
        posted(router, poll, message_id=f"m-{number}")
        for option, stamp in order:
            replies = router.dispatch(replace(incoming(f"/ask answer {number} {option}", user=DAN), stamp=stamp))
            assert len(replies) == 1 and not replies[0].is_error
        with router.db.reader() as session:
            chosen = sorted(session.exec(select(CommunityPollAnswer.option).where(
                CommunityPollAnswer.poll_id == number)).all())
        assert chosen == [2], order


def test_forget_me_erases_the_stamps_that_name_the_voter(router):
    poll, _note = router.dispatch(incoming(QUESTION))
    posted(router, poll, message_id="m-1")
    router.dispatch(replace(incoming("/ask answer 1 Rust", user=DAN), stamp=1_000))
    dan_dm = ChatRef(platform="slack", chat_id=DAN.user_id, is_private=True)
    say(router, "/forget me", user=DAN, chat=dan_dm)
    with router.db.reader() as session:
        assert session.exec(select(CommunityPollOrder)).all() == []
    assert "Rust — 1 (100%)" in text_of(say(router, "/ask results 1"))
