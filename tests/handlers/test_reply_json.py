"""A command's replies kept as JSON (the inbox keeps them until they are sent) come back equal."""

from __future__ import annotations

import pytest

from handlers import reply_json
from handlers.core import (
    Button,
    ChatRef,
    DirectTarget,
    Document,
    FormRequest,
    Image,
    PollSpec,
    Reply,
    SentMessage,
    UserRef,
)


def test_every_kind_of_reply_comes_back_equal():
    chat = ChatRef(platform="slack", chat_id="C1", thread_id="1.2", workspace_id="T1", is_private=False)
    person = UserRef(platform="telegram", user_id="42", display_name="Алиса", is_bot=False)
    replies = [
        Reply("✅ Logged *talk #1*", buttons=(Button("Delete", "/delete 1", style="danger"),), track="card:1"),
        Reply("chart", image=Image("week.png", b"\x89PNG\x00\xff")),
        Reply("csv", document=Document("votes.csv", b"a;b\n1;2\n", mime_type="text/csv"), ephemeral=True),
        Reply("which kind?", form=FormRequest("log", known=(("title", "X"), ("venue", "Conf")))),
        Reply("", poll=PollSpec("Rate it", ("1", "2", "3"), anonymous=False, choice_command="/vote 1")),
        Reply("to you", to=DirectTarget(person, fallback_chat=chat), is_error=True),
        Reply("there", to=chat, stop_polls=(SentMessage(chat, "17", poll_id="p1"),)),
    ]

    assert reply_json.loads(reply_json.dumps(replies)) == replies
    assert reply_json.loads(reply_json.dumps([])) == []


def test_something_that_is_not_a_core_type_is_refused_when_kept():
    with pytest.raises(TypeError):
        reply_json.dumps([Reply("x", track={"not": "a core type"})])  # type: ignore[arg-type]
