"""The one dedupe path of the doors: a platform's delivery id is let through once, on SQLite and PostgreSQL."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy.exc import OperationalError

from bot.inbox import Inbox
from handlers.core import ChatRef, ReactionEvent, UserRef
from handlers.router import EventRequest, Registry, Router

CHAT = ChatRef(platform="slack", chat_id="C1", workspace_id="T1")
CAROL = UserRef(platform="slack", user_id="UCAROL", display_name="carol")


async def test_a_delivery_id_gets_through_once_per_platform(any_router):
    slack, telegram = Inbox(any_router, "slack"), Inbox(any_router, "telegram")

    assert await slack.first_time("Ev1") is True
    assert await slack.first_time("Ev1") is False
    assert await telegram.first_time("Ev1") is True  # another platform's ids are another namespace
    assert await slack.first_time(None) is True and await slack.first_time(None) is True  # no id: no dedupe


async def test_events_apply_once_with_their_id_recorded_in_the_same_transaction(any_db, clock):
    seen: list[ReactionEvent] = []
    commands = Registry()

    @commands.on(ReactionEvent)
    def record(req: EventRequest) -> None:
        assert isinstance(req.event, ReactionEvent)
        seen.append(req.event)

    inbox = Inbox(Router(any_db, commands=commands, clock=clock), "slack")
    vote = ReactionEvent(chat=CHAT, message_id="1.2", user=CAROL, emoji="🔥", added=True, event_id="Ev9")

    await inbox.apply([vote], "Ev9")
    await inbox.apply([vote], "Ev9")  # Slack retried it

    assert seen == [vote]
    assert await inbox.first_time("Ev9") is False


async def test_a_locked_database_lets_the_delivery_through_so_the_command_is_answered(caplog):
    def locked() -> None:
        raise OperationalError("INSERT INTO processed_event", {}, Exception("database is locked"))

    inbox = Inbox(SimpleNamespace(db=SimpleNamespace(session=locked)), "telegram")  # type: ignore[arg-type]

    assert await inbox.first_time("42:1") is True
    assert "could not check telegram delivery 42:1 for a repeat: OperationalError" in caplog.text
