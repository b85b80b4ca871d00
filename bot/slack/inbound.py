"""What Slack sends, made into the core types: command text, chats, emoji names.

Slack escapes ``&``, ``<`` and ``>`` in text and wraps mentions and links in angle brackets
(``<@U123|alice>``, ``<https://x|x>``); the router's grammar wants plain ``@U123`` and ``https://x``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from handlers.core import ChatRef
from storage.emoji import normalize_emoji

_USER_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL_MENTION = re.compile(r"<#([A-Z0-9]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|[^>]*)?>")

# Slack's own slash commands cannot be registered by an app: the router's command goes by another name there.
RESERVED_RENAMES = {"feedback": "rate"}


def slack_command(name: str) -> str:
    """The Slack slash command of a router command: ``feedback`` → ``rate``, the rest unchanged."""
    return RESERVED_RENAMES.get(name, name)


def router_command(slack_name: str) -> str:
    """Back again: ``rate`` → ``feedback``."""
    return next((name for name, renamed in RESERVED_RENAMES.items() if renamed == slack_name), slack_name)


def command_call(slash_command: str, text: str, *, namespace: str) -> tuple[str, str, str | None]:
    """The router command, its arguments and the namespace it came through, from a slash command and its text:
    ``/log talk "X"`` → ("log", 'talk "X"', None); ``/devrel log talk "X"`` → ("log", 'talk "X"', "devrel");
    a bare ``/devrel`` is ``/devrel help``. Both forms work at once, so a workspace can move between them."""
    name = slash_command.lstrip("/").lower()
    args = command_text(text)
    if name != namespace:
        return router_command(name), args, None
    words = args.split(None, 1)
    if not words:
        return "help", "", namespace
    rest = words[1].strip() if len(words) > 1 else ""
    return router_command(words[0].lstrip("/").lower()), rest, namespace


def command_text(text: str) -> str:
    """Slash command text as the person typed it: mentions as ``@U123``, links bare, entities decoded."""
    text = _USER_MENTION.sub(r"@\1", text)
    text = _CHANNEL_MENTION.sub(lambda m: "#" + (m.group(2) or m.group(1)), text)
    text = _LINK.sub(r"\1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def channel_mentions(text: str) -> tuple[tuple[str, str], ...]:
    """The named channel mentions of the text, as :func:`command_text` shows them and the channel they name:
    ``<#C0DEVREL|devrel>`` → ("#devrel", "C0DEVREL"). A bare ``<#C0DEVREL>`` shows its id already."""
    return tuple(("#" + m.group(2), m.group(1)) for m in _CHANNEL_MENTION.finditer(text) if m.group(2))


def stamp(ts: object) -> int | None:
    """Slack's ``event_ts`` / ``action_ts`` (``"1700000100.000100"``) as microseconds, the order it gives one
    person's votes (``ReactionEvent.stamp``); None when missing or not a timestamp."""
    try:
        return int(Decimal(str(ts)) * 1_000_000) if ts else None
    except ArithmeticError:
        return None


def emoji(name: str) -> str:
    """``fire`` → 🔥; ``+1::skin-tone-3`` → 👍 (skin tone is not a different vote); unknown → ``:name:``.
    The one definition is :func:`storage.emoji.normalize_emoji`, which Telegram's emoji go through too."""
    return normalize_emoji(name)


def is_private_channel(channel_id: str, channel_name: str | None = None) -> bool:
    """DMs (D…) and private groups (G…) are private; slash commands also say so by name."""
    if channel_name in ("directmessage", "privategroup", "mpdm"):
        return True
    return channel_id.startswith(("D", "G"))


def chat_ref(
    *, channel_id: str, team_id: str, thread_ts: str | None = None, channel_name: str | None = None
) -> ChatRef:
    return ChatRef(
        platform="slack",
        chat_id=channel_id,
        thread_id=thread_ts,
        workspace_id=team_id,
        is_private=is_private_channel(channel_id, channel_name),
    )


def team_of(body: dict[str, Any]) -> str:
    """The workspace of any payload: slash commands, events and interactions carry it in different places."""
    team = body.get("team_id") or (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
    if not team:
        raise ValueError("Slack payload without a team id")
    return str(team)
