"""One emoji, one spelling: what both doors and the emoji map compare.

Slack names reactions by short code (``fire``, ``+1``, ``thumbsup``, ``+1::skin-tone-3``); Telegram sends
Unicode, sometimes with a variation selector (``❤️`` = U+2764 U+FE0F) or a skin tone (👍🏽). A vote is the
same vote however it was spelled, so every emoji goes through :func:`normalize_emoji` before it is stored
or compared.
"""

from __future__ import annotations

import re

# Slack short codes of the emoji people rate with, and a few more; the rest stay ``:name:``.
SHORT_CODES: dict[str, str] = {
    "fire": "🔥",
    "+1": "👍",
    "thumbsup": "👍",
    "-1": "👎",
    "thumbsdown": "👎",
    "neutral_face": "😐",
    "heart": "❤",
    "star": "⭐",
    "star-struck": "🤩",
    "star_struck": "🤩",
    "clap": "👏",
    "tada": "🎉",
    "rocket": "🚀",
    "eyes": "👀",
    "joy": "😂",
    "slightly_smiling_face": "🙂",
    "smile": "😄",
    "disappointed": "😞",
    "white_check_mark": "✅",
    "100": "💯",
    "heart_eyes": "😍",
    "thinking_face": "🤔",
    "confused": "😕",
    "zzz": "💤",
}

# Variation selectors (text/emoji presentation) and the five Fitzpatrick skin-tone modifiers.
_PRESENTATION = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")
_SKIN_TONE_SUFFIX = re.compile(r"::skin-tone-\d$")


def normalize_emoji(raw: str) -> str:
    """``fire``, ``:fire:`` and 🔥 → 🔥; ``+1::skin-tone-4`` and 👍🏽 → 👍; ``❤️`` → ``❤``; an unknown short code
    → ``:name:``; custom emoji (``custom:123``) as they are."""
    text = raw.strip()
    if text.startswith("custom:"):
        return text
    name = _SKIN_TONE_SUFFIX.sub("", text.strip(":").lower()) if _is_short_code(text) else None
    if name is not None:
        name = name.split("::", 1)[0]
        return _PRESENTATION.sub("", SHORT_CODES[name]) if name in SHORT_CODES else f":{name}:"
    return _PRESENTATION.sub("", text)


def _is_short_code(text: str) -> bool:
    """Short codes are ASCII words (``fire``, ``+1``, ``:star-struck:``); emoji are not ASCII."""
    return bool(text) and text.isascii()
