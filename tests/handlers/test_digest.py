"""/digest: where and when the weekly digest goes; only admins change it."""

from __future__ import annotations

from tests.helpers import BOB, say, text_of


def test_admins_subscribe_and_unsubscribe_a_chat_and_others_only_look(router):
    assert "No chat gets it yet" in text_of(say(router, "/digest"))  # alice, the first member, is the admin
    refused = say(router, "/digest here", user=BOB)
    assert refused.is_error and "Only a team admin" in text_of(refused)

    here = text_of(say(router, "/digest here"))
    assert "This chat will get the weekly digest." in here and "(this chat)" in here
    assert "Next: " in here and "every Mon at 10:00 (UTC)" in here
    assert "already gets the digest" in text_of(say(router, "/digest here"))
    assert "will no longer get the digest" in text_of(say(router, "/digest off"))
    bad = say(router, "/digest weekly")
    assert bad.is_error and "Use /digest, /digest here or /digest off." in text_of(bad)
