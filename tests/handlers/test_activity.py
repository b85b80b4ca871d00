"""An activity is named by its number, and only within its own team."""

from __future__ import annotations

from handlers.core import ChatRef
from tests.helpers import say, text_of

OTHER_TEAM_CHAT = ChatRef(platform="console", chat_id="other-team")


def test_another_teams_activity_is_invisible(router, talk):
    for line in ("/show 1", "/update 1 audience=1", "/delete 1", "/delete 1 confirm"):
        reply = say(router, line, chat=OTHER_TEAM_CHAT)
        assert reply.is_error
        assert "no activity #1 in this team" in text_of(reply)
