"""The core types every layer shares: what a person asked, what the bot answers, and the Messenger port.

Nothing here imports a platform SDK; the doors in ``bot/`` translate to and from these types.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

Platform = Literal["console", "slack", "telegram"]
PLATFORMS: tuple[Platform, ...] = ("console", "slack", "telegram")


def as_platform(name: str) -> Platform:
    """A platform's name as the database keeps it (text) → the core's type; anything else is a bug."""
    for platform in PLATFORMS:
        if platform == name:
            return platform
    raise ValueError(f"not a platform: {name!r}")


@dataclass(frozen=True)
class ChatRef:
    """A place messages go to. ``workspace_id`` is the Slack workspace (team_id); None elsewhere."""

    platform: Platform
    chat_id: str
    thread_id: str | None = None
    workspace_id: str | None = None
    is_private: bool = False

    @property
    def scope(self) -> str:
        """The id that binds this chat to a team: the whole workspace on Slack, the chat elsewhere."""
        return self.workspace_id or self.chat_id


@dataclass(frozen=True)
class UserRef:
    platform: Platform
    user_id: str
    display_name: str
    is_bot: bool = False


@dataclass(frozen=True)
class Attachment:
    """A file a person sent with a command (a CSV to import, say)."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class Incoming:
    """What a person asked: ``/log talk "X"`` arrives as command="log", args='talk "X"'."""

    chat: ChatRef
    user: UserRef
    command: str
    args: str = ""
    text: str = ""
    message_id: str | None = None
    attachments: tuple[Attachment, ...] = ()
    # The platform's answers, asked by the door (handlers never ask a platform): ``chat_admin`` — the sender
    # administers this very chat (may link or unlink it; in a private chat the person is the chat);
    # ``platform_admin`` — the sender administers the place this chat belongs to: a Slack workspace admin or
    # owner, a Telegram group's administrator or creator (or an anonymous admin posting as the group), the
    # console's local user. Never true in a Telegram private chat, which belongs to no one's group.
    chat_admin: bool = False
    # The person's own language as the platform reports it (Telegram's language_code, Slack's user locale):
    # replies only they see use it; what the channel sees is in the team's language.
    language: str | None = None
    platform_admin: bool = False
    # The namespace command it came through (Slack's ``/devrel stats``): help then writes every command the
    # way it can be typed there.
    namespace: str | None = None
    # When the platform stamped a click (Slack's action_ts in microseconds): a poll button's /vote is ordered
    # with the person's other answers on that card, as ReactionEvent.stamp.
    stamp: int | None = None
    # The chat's name as the platform shows it (a Telegram group's title), where the door knows it: a chat
    # linked as a community chat keeps it, so /ask … in #name can name the chat.
    chat_title: str | None = None
    # Channel mentions in the text as the door rendered them, with the channel each one names: Slack's
    # ``<#C0DEVREL|devrel>`` reads as ``#devrel`` in ``args`` and comes here as ("#devrel", "C0DEVREL"), so
    # /ask … in #devrel finds the channel by its id, not only by a title that may differ.
    channel_mentions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Button:
    """A click re-dispatches ``command`` (e.g. ``/delete 42 confirm``) through the router as the clicker."""

    label: str
    command: str
    style: Literal["default", "primary", "danger"] = "default"


@dataclass(frozen=True)
class Image:
    filename: str
    content: bytes
    mime_type: str = "image/png"


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes
    mime_type: str = "text/csv"


@dataclass(frozen=True)
class FormRequest:
    """A command lacked required fields: doors with forms (Slack modal, Telegram dialogue) ask for them."""

    command: str
    known: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PollSpec:
    """A poll to send. ``choice_command`` serves platforms without native polls: each option becomes a button
    that dispatches ``{choice_command} {option}`` (the option's text) as the person who clicked."""

    question: str
    options: tuple[str, ...]
    anonymous: bool = True
    choice_command: str | None = None
    multiple: bool = False  # people may pick several options


@dataclass(frozen=True)
class SentMessage:
    chat: ChatRef
    message_id: str
    poll_id: str | None = None


@dataclass(frozen=True)
class DirectTarget:
    """A person to message privately; the door decides how (a DM, or a mention in the team chat)."""

    user: UserRef
    fallback_chat: ChatRef | None = None


@dataclass(frozen=True)
class Reply:
    """What the bot answers. ``text`` uses the small markup of :mod:`handlers.markup`.

    ``ephemeral`` replies are for the caller only (errors, help, private lists); ``announce`` replies
    are meant for the whole channel (a logged activity), even where the command itself was private.

    Delivery options (all optional, for the doors): ``to`` sends the reply to another chat (on any platform)
    or privately to a person instead of answering where the command came from; ``poll`` sends it as a poll
    (``text`` is then unused); ``track`` asks the door to report the sent message back as a :class:`Posted`
    event carrying the same token, so a handler can remember which message it was (a feedback card);
    ``stop_polls`` asks the door to close those polls first; ``asks_reply`` marks a question the person answers
    by replying to it, so a door that can asks for such a reply (Telegram's ForceReply: a group bot with privacy
    mode on sees only replies to it).
    """

    text: str
    image: Image | None = None
    document: Document | None = None
    buttons: tuple[Button, ...] = ()
    ephemeral: bool = False
    is_error: bool = False
    form: FormRequest | None = None
    to: ChatRef | DirectTarget | None = None
    poll: PollSpec | None = None
    track: str | None = None
    stop_polls: tuple[SentMessage, ...] = ()
    asks_reply: bool = False


@dataclass(frozen=True)
class ReactionEvent:
    chat: ChatRef
    message_id: str
    user: UserRef | None
    emoji: str
    added: bool
    event_id: str | None = None
    # When the platform stamped it (Slack's event_ts in microseconds, Telegram's update_id): one person's
    # toggles on a card take effect in this order, whatever order they arrive in (storage.feedback.order).
    stamp: int | None = None


@dataclass(frozen=True)
class ReactionCount:
    """Anonymous reaction totals (Telegram channels): the newest count replaces older ones."""

    chat: ChatRef
    message_id: str
    counts: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class PollAnswer:
    poll_id: str
    user: UserRef | None
    option_ids: tuple[int, ...]
    stamp: int | None = None  # as ReactionEvent.stamp


@dataclass(frozen=True)
class PollResults:
    poll_id: str
    voter_counts: tuple[int, ...]
    is_closed: bool
    voters: int | None = None  # people who answered, where the platform says (several options count once)


@dataclass(frozen=True)
class Posted:
    """A door sent a Reply that carried ``track``: here is the message it became (its id, its poll's id)."""

    track: str
    sent: SentMessage


class Messenger(Protocol):
    """The port jobs send through; one implementation per platform, chosen by ``ChatRef.platform``."""

    platform: Platform

    async def send(self, chat: ChatRef, reply: Reply) -> SentMessage: ...

    async def send_poll(self, chat: ChatRef, poll: PollSpec) -> SentMessage: ...

    async def send_in_thread(self, chat: ChatRef, parent_id: str, reply: Reply) -> SentMessage:
        """Send under an earlier message: a Slack thread; a reply to it where threads do not exist."""
        ...

    async def send_direct(self, target: DirectTarget, reply: Reply) -> SentMessage: ...

    async def stop_poll(self, message: SentMessage) -> PollResults | None:
        """Close a poll sent with ``send_poll``; the final results where the platform counts the votes."""
        ...


@runtime_checkable
class CountsMembers(Protocol):
    """A Messenger that can say how many people a chat has (Telegram's getChatMemberCount, Slack's
    conversations.info); the console cannot."""

    async def member_count(self, chat: ChatRef) -> int: ...
