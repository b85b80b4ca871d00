"""The dedupe of platform deliveries (Slack event ids, Telegram update ids), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

from sqlmodel import func, select

from handlers.core import ChatRef, Incoming, Posted, ReactionEvent, SentMessage, UserRef
from handlers.router import Router
from storage.db import Database
from storage.events import mark_processed
from storage.models import Vote


def test_an_id_is_new_once_then_a_repeat(any_db: Database):
    with any_db.session() as s:
        assert mark_processed(s, platform="slack", event_id="Ev1")
        assert not mark_processed(s, platform="slack", event_id="Ev1")  # in the same transaction
        assert mark_processed(s, platform="telegram", event_id="Ev1")  # another platform's id space
    with any_db.session() as s:
        assert not mark_processed(s, platform="slack", event_id="Ev1")  # in a later one


def test_a_mark_that_is_rolled_back_is_not_a_repeat(any_db: Database):
    try:
        with any_db.session() as s:
            assert mark_processed(s, platform="slack", event_id="Ev2")
            raise RuntimeError("the handling failed")
    except RuntimeError:
        pass
    with any_db.session() as s:
        assert mark_processed(s, platform="slack", event_id="Ev2")


def test_the_same_id_marked_at_once_by_many_threads_is_new_exactly_once(any_db: Database):
    start = threading.Barrier(8)
    results: list[bool] = []

    def mark() -> None:
        start.wait()
        try:
            with any_db.session() as s:
                results.append(mark_processed(s, platform="slack", event_id="EvRace"))
        except Exception:  # SQLite may answer "locked"; that is a failure, not a second first time
            results.append(False)

    threads = [threading.Thread(target=mark) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results.count(True) == 1


def test_a_redelivered_reaction_does_not_bring_a_withdrawn_vote_back(any_db: Database):
    """What the doors rely on: ``Router.handle_event(..., once=…)`` on either database."""
    router = Router(any_db, default_timezone="UTC")
    chat = ChatRef(platform="slack", chat_id="C1", workspace_id="T1")
    alice = UserRef(platform="slack", user_id="UALICE", display_name="alice")
    router.dispatch(Incoming(chat=chat, user=alice, command="log", args='talk "Dedupe" 2026-11-20'))
    (card,) = router.dispatch(Incoming(chat=chat, user=alice, command="feedback", args="1"))
    router.handle_event(Posted(track=card.track or "", sent=SentMessage(chat=chat, message_id="1.1")))
    bob = UserRef(platform="slack", user_id="UBOB", display_name="bob")

    def reaction(added: bool) -> ReactionEvent:
        return ReactionEvent(chat=chat, message_id="1.1", user=bob, emoji="🔥", added=added)

    router.handle_event(reaction(True), once=("slack", "EvA"))
    router.handle_event(reaction(False), once=("slack", "EvB"))
    router.handle_event(reaction(True), once=("slack", "EvA"))  # Slack retried EvA
    with any_db.session() as s:
        assert s.exec(select(func.count()).select_from(Vote)).one() == 0
