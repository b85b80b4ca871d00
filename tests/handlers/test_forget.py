"""/forget me: only oneself, only in a private chat (the erasing itself is checked in test_community.py)."""

from __future__ import annotations

from handlers.core import ChatRef
from tests.helpers import say, text_of

ALICE_DM = ChatRef(platform="console", chat_id="u-alice", is_private=True)


def test_only_oneself_can_be_forgotten_and_only_in_a_private_chat(router):
    someone_else = say(router, "/forget @bob", chat=ALICE_DM)
    assert someone_else.is_error and "nobody can erase someone else" in text_of(someone_else)
    assert "/forget me" in text_of(someone_else)
    in_group = say(router, "/forget me")
    assert in_group.is_error and "private chat" in text_of(in_group)
    assert "nothing about you" in text_of(say(router, "/forget me", chat=ALICE_DM))
