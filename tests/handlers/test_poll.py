"""/poll: rating and NPS polls — answered with buttons (/vote) or natively — their results and /poll close."""

from __future__ import annotations

from handlers.core import (
    PollAnswer,
    PollResults,
)
from tests.handlers.feedback_support import GROUP, TALK, person, posted
from tests.helpers import say, text_of, votes


def test_nps_by_hand_from_button_votes(router):
    say(router, TALK)
    poll = say(router, "/poll 1 nps")
    assert poll.poll is not None and poll.poll.options == tuple(str(i) for i in range(11))
    assert poll.poll.choice_command == "/vote 1" and poll.poll.anonymous
    posted(router, poll)
    # 10, 10, 9 are promoters, 8 passive, 6 a detractor: (3 - 1) / 5 = +40.
    for name, score in (("a", 10), ("b", 10), ("c", 9), ("d", 8), ("e", 6)):
        assert "Your answer" in text_of(say(router, f"/vote 1 {score}", user=person(name)))
    assert "NPS: +40 (3 promoters, 1 passive, 1 detractor; 5 answers)" in text_of(say(router, "/show 1"))
    assert "NPS: +40 (3 promoters, 1 passive, 1 detractor; 5 answers) (was —)" in text_of(say(router, "/stats month"))


def test_native_poll_answers_named_and_anonymous(router, db):
    say(router, TALK)
    say(router, "/settings polls=public")
    named = say(router, "/poll 1")
    assert named.poll is not None and not named.poll.anonymous
    posted(router, named, chat=GROUP, message_id="10", poll_id="p-named")
    alice = person("alice", platform="telegram")
    router.handle_event(PollAnswer(poll_id="p-named", user=alice, option_ids=(1,)))  # option 1 is "2"
    router.handle_event(PollAnswer(poll_id="p-named", user=alice, option_ids=(4,)))  # changed to "5"
    router.handle_event(PollAnswer(poll_id="p-named", user=person("bob", platform="telegram"), option_ids=(0,)))
    router.handle_event(PollResults(poll_id="p-named", voter_counts=(1, 0, 0, 0, 1), is_closed=False))  # not added
    router.handle_event(PollAnswer(poll_id="p-named", user=person("bob", platform="telegram"), option_ids=()))
    assert votes(db) == {"telegram:u-alice": 5}

    say(router, "/settings polls=anonymous")
    anonymous = say(router, "/poll 1 nps")
    posted(router, anonymous, chat=GROUP, message_id="11", poll_id="p-anon")
    counts = (0,) * 6 + (1, 0, 2, 1, 3)  # one 6, two 8s, one 9, three 10s
    router.handle_event(PollResults(poll_id="p-anon", voter_counts=counts, is_closed=False))
    router.handle_event(PollResults(poll_id="p-anon", voter_counts=counts, is_closed=False))  # again: once
    shown = text_of(say(router, "/show 1"))
    assert "community rating: 5.0 of 5 (1 answer)" in shown
    assert "NPS: +43 (4 promoters, 2 passives, 1 detractor; 7 answers)" in shown

    say(router, "/poll close 1")
    router.handle_event(PollResults(poll_id="p-anon", voter_counts=(0,) * 10 + (50,), is_closed=False))  # late
    router.handle_event(PollAnswer(poll_id="p-named", user=alice, option_ids=(0,)))  # late
    assert "NPS: +43 (4 promoters, 2 passives, 1 detractor; 7 answers)" in text_of(say(router, "/show 1"))
    assert votes(db) == {"telegram:u-alice": 5}
    # The final result Telegram gives back when the bot stops the poll is taken.
    router.handle_event(PollResults(poll_id="p-anon", voter_counts=counts[:-1] + (4,), is_closed=True))
    assert "NPS: +50 (5 promoters, 2 passives, 1 detractor; 8 answers)" in text_of(say(router, "/show 1"))
