"""What the feedback, poll and vote tests share: people, the Telegram group, and what a door does after it
sent a tracked reply."""

from __future__ import annotations

from dataclasses import replace

from handlers.core import (
    ChatRef,
    Posted,
    ReactionEvent,
    Reply,
    SentMessage,
    UserRef,
)
from handlers.router import Router
from tests.helpers import TEAM_CHAT, incoming, say

GROUP = ChatRef(platform="telegram", chat_id="-100777")
TALK = '/log talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300'


def person(name: str, *, platform: str = "console", is_bot: bool = False) -> UserRef:
    return UserRef(platform=platform, user_id=f"u-{name}", display_name=name, is_bot=is_bot)  # type: ignore[arg-type]


def in_group(line: str):
    """A line typed by an admin of the Telegram group."""
    tg_admin = UserRef(platform="telegram", user_id="42", display_name="tg-admin")
    return replace(incoming(line, user=tg_admin, chat=GROUP), chat_admin=True)


def posted(router: Router, reply: Reply, chat: ChatRef = TEAM_CHAT, message_id: str = "m-1",
           poll_id: str | None = None) -> None:
    """What a door does after sending a tracked reply."""
    assert reply.track is not None
    router.handle_event(Posted(track=reply.track, sent=SentMessage(chat=chat, message_id=message_id, poll_id=poll_id)))


def react(router: Router, emoji: str, user: UserRef, *, added: bool = True, chat: ChatRef = TEAM_CHAT,
          message_id: str = "m-1") -> None:
    router.handle_event(ReactionEvent(chat=chat, message_id=message_id, user=user, emoji=emoji, added=added))


def card_on(router: Router, line: str = "/feedback 1") -> Reply:
    say(router, TALK)
    card = say(router, line)
    posted(router, card)
    return card
