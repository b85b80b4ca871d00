"""Telegram updates → the core types (ChatRef, UserRef, ReactionEvent, ReactionCount, PollAnswer, PollResults).

Kept apart from the door so that what a platform event *means* is readable in one place and testable
without a running Application.
"""

from __future__ import annotations

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
