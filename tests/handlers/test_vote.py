"""/vote: what a poll's buttons send — a new click replaces the old one, a closed poll is final."""

from __future__ import annotations

from handlers.core import (
    ChatRef,
    SentMessage,
)
from tests.handlers.feedback_support import GROUP, TALK, person, posted
from tests.helpers import BOB, say, text_of, votes


def test_a_new_click_replaces_the_old_and_a_closed_poll_is_final(router, db):
    say(router, TALK)
    posted(router, say(router, "/poll 1"), message_id="m-poll")
    say(router, "/vote 1 2", user=person("carol"))
    say(router, "/vote 1 5", user=person("carol"))
    assert votes(db) == {"console:u-carol": 5}
    assert say(router, "/vote 1 9", user=person("carol")).is_error  # a rating is 1 to 5
    assert say(router, "/vote 1 3", user=person("carol"), chat=GROUP).is_error  # not the poll's chat

    assert say(router, "/poll close 1", user=BOB).is_error  # neither the owner nor an admin
    closed = say(router, "/poll close 1")
    assert closed.stop_polls == (SentMessage(chat=ChatRef(platform="console", chat_id="team-chat"),
                                             message_id="m-poll"),)
    refused = say(router, "/vote 1 1", user=person("carol"))
    assert refused.is_error and "closed" in text_of(refused)
    assert votes(db) == {"console:u-carol": 5}
    assert say(router, "/poll close 1").is_error  # nothing open any more
