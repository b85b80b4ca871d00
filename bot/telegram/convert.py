"""Telegram updates → the core types (ChatRef, UserRef, ReactionEvent, ReactionCount, PollAnswer, PollResults).

Kept apart from the door so that what a platform event *means* is readable in one place and testable
without a running Application.

A vote (a reaction, a poll answer) is also converted straight from the update's JSON (:func:`vote_events`): it is
the bot's highest-rate update, and parsing it into python-telegram-bot's objects first cost more than applying it.
The two conversions must agree (tests/bot/test_telegram_convert.py checks them against each other).
"""

from __future__ import annotations

from typing import Any

from telegram import (
    Chat,
    Message,
    MessageReactionCountUpdated,
    MessageReactionUpdated,
    Poll,
    ReactionType,
    ReactionTypeCustomEmoji,
    ReactionTypeEmoji,
    User,
)
from telegram import PollAnswer as TgPollAnswer

from handlers.core import ChatRef, PollAnswer, PollResults, ReactionCount, ReactionEvent, UserRef

JSON = dict[str, Any]


def chat_ref(chat: Chat, *, thread_id: int | None = None) -> ChatRef:
    return ChatRef(
        platform="telegram",
        chat_id=str(chat.id),
        thread_id=str(thread_id) if thread_id is not None else None,
        is_private=chat.type == Chat.PRIVATE,
    )


def message_chat(message: Message) -> ChatRef:
    """Forum topics are threads: replies go back into the topic the command came from."""
    thread = message.message_thread_id if message.is_topic_message else None
    return chat_ref(message.chat, thread_id=thread)


def user_ref(user: User) -> UserRef:
    """People write @username to name each other, so the username is the display name when there is one."""
    return UserRef(
        platform="telegram",
        user_id=str(user.id),
        display_name=user.username or user.full_name or str(user.id),
        is_bot=user.is_bot,
    )


def chat_as_user(chat: Chat) -> UserRef:
    """An anonymous group admin or a channel speaks as the chat itself."""
    return UserRef(platform="telegram", user_id=f"chat{chat.id}", display_name=chat.title or str(chat.id))


def emoji_of(reaction: ReactionType) -> str | None:
    if isinstance(reaction, ReactionTypeEmoji):
        return reaction.emoji
    if isinstance(reaction, ReactionTypeCustomEmoji):
        return f"custom:{reaction.custom_emoji_id}"
    return None  # paid reactions are not votes


def reaction_events(update_id: int, reaction: MessageReactionUpdated) -> list[ReactionEvent]:
    """One event per emoji added or removed: Telegram sends the whole old and new sets."""
    old = [e for e in map(emoji_of, reaction.old_reaction) if e]
    new = [e for e in map(emoji_of, reaction.new_reaction) if e]
    if reaction.user is not None:
        user: UserRef | None = user_ref(reaction.user)
    elif reaction.actor_chat is not None:
        user = chat_as_user(reaction.actor_chat)
    else:
        user = None
    chat = chat_ref(reaction.chat)
    changes = [(e, False) for e in old if e not in new] + [(e, True) for e in new if e not in old]
    return [
        ReactionEvent(
            chat=chat,
            message_id=str(reaction.message_id),
            user=user,
            emoji=emoji,
            added=added,
            event_id=f"{update_id}:{i}",
            stamp=update_id,  # Telegram numbers updates in the order it made them
        )
        for i, (emoji, added) in enumerate(changes)
    ]


def reaction_count(counts: MessageReactionCountUpdated) -> ReactionCount:
    totals = tuple((e, c.total_count) for c in counts.reactions if (e := emoji_of(c.type)) is not None)
    return ReactionCount(chat=chat_ref(counts.chat), message_id=str(counts.message_id), counts=totals)


def poll_answer(update_id: int, answer: TgPollAnswer) -> PollAnswer:
    """An empty ``option_ids`` is a retracted vote; the update's id orders one person's answers."""
    if answer.user is not None:
        user: UserRef | None = user_ref(answer.user)
    elif answer.voter_chat is not None:
        user = chat_as_user(answer.voter_chat)
    else:
        user = None
    return PollAnswer(poll_id=answer.poll_id, user=user, option_ids=tuple(answer.option_ids), stamp=update_id)


def poll_results(poll: Poll) -> PollResults:
    return PollResults(
        poll_id=poll.id, voter_counts=tuple(o.voter_count for o in poll.options), is_closed=poll.is_closed,
        voters=poll.total_voter_count,
    )


# --- votes from the update's JSON ------------------------------------------------------------------------------


def vote_events(update: JSON) -> tuple[list[ReactionEvent] | list[PollAnswer], str] | None:
    """A reaction or poll answer update as the events it means and the key of the queue that keeps it in order
    (``intake.chat_key``'s, for the same update); None for any other update. Raises on an update that is not
    what the Bot API documents (the caller then parses it the usual way)."""
    update_id = update["update_id"]
    if not isinstance(update_id, int):
        raise TypeError(f"update_id {update_id!r} is not a number")
    reaction = update.get("message_reaction")
    if reaction is not None:
        chat = reaction["chat"]
        voter = reaction.get("user") or reaction.get("actor_chat") or {"id": 0}
        return _reaction_events_of(update_id, reaction), f"c{chat['id']}:u{voter['id']}"
    answer = update.get("poll_answer")
    if answer is not None:
        user = answer.get("user")
        return [_poll_answer_of(update_id, answer)], f"u{user['id']}" if user is not None else "-"
    return None


def _chat_ref_of(chat: JSON) -> ChatRef:
    return ChatRef(platform="telegram", chat_id=str(chat["id"]), is_private=chat["type"] == Chat.PRIVATE)


def _user_ref_of(user: JSON) -> UserRef:
    first, last = user.get("first_name"), user.get("last_name")
    full_name = f"{first} {last}" if first and last else first  # User.full_name
    return UserRef(platform="telegram", user_id=str(user["id"]), display_name=user.get("username") or full_name
                   or str(user["id"]), is_bot=bool(user.get("is_bot")))


def _chat_as_user_of(chat: JSON) -> UserRef:
    return UserRef(platform="telegram", user_id=f"chat{chat['id']}", display_name=chat.get("title") or str(chat["id"]))


def _emoji_of(reaction: JSON) -> str | None:
    kind = reaction.get("type")
    if kind == "emoji":
        return str(reaction["emoji"])
    if kind == "custom_emoji":
        return f"custom:{reaction['custom_emoji_id']}"
    return None  # paid reactions are not votes


def _reaction_events_of(update_id: int, reaction: JSON) -> list[ReactionEvent]:
    """As :func:`reaction_events`."""
    old = [e for e in map(_emoji_of, reaction.get("old_reaction", ())) if e]
    new = [e for e in map(_emoji_of, reaction.get("new_reaction", ())) if e]
    changes = [(e, False) for e in old if e not in new] + [(e, True) for e in new if e not in old]
    if not changes:
        return []
    user = _voter_of(reaction, chat_key="actor_chat")
    chat, message_id = _chat_ref_of(reaction["chat"]), str(reaction["message_id"])
    return [ReactionEvent(chat=chat, message_id=message_id, user=user, emoji=emoji, added=added,
                          event_id=f"{update_id}:{i}", stamp=update_id)
            for i, (emoji, added) in enumerate(changes)]


def _voter_of(payload: JSON, *, chat_key: str) -> UserRef | None:
    """The person who voted, or the chat they voted as (an anonymous admin, a channel); None when neither."""
    if (person := payload.get("user")) is not None:
        return _user_ref_of(person)
    if (chat := payload.get(chat_key)) is not None:
        return _chat_as_user_of(chat)
    return None


def _poll_answer_of(update_id: int, answer: JSON) -> PollAnswer:
    """As :func:`poll_answer`."""
    user = _voter_of(answer, chat_key="voter_chat")
    return PollAnswer(poll_id=str(answer["poll_id"]), user=user,
                      option_ids=tuple(int(i) for i in answer.get("option_ids", ())), stamp=update_id)
