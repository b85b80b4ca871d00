"""One emoji, one spelling: what both doors and the emoji map compare.

Slack names reactions by short code (``fire``, ``+1``, ``thumbsup``, ``+1::skin-tone-3``, ``man-shrugging``);
Telegram sends Unicode, sometimes with a variation selector (``❤️`` = U+2764 U+FE0F) or a skin tone (👍🏽). A
vote is the same vote however it was spelled, so every emoji goes through :func:`normalize_emoji` before it
is stored or compared. The names come from the ``emoji`` package (every emoji Unicode has, with GitHub's and
Slack's usual aliases), so any emoji merges across platforms, not only a chosen few.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

# Variation selectors (text/emoji presentation) and the five Fitzpatrick skin-tone modifiers.
_PRESENTATION = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")
_SKIN_TONE_SUFFIX = re.compile(r"::skin-tone-\d$")
_SLACK_FLAG = re.compile(r"flag-([a-z]{2})")
_SLACK_GENDER = re.compile(r"(male|female)-(.+)")

# Slack names the emoji package does not know (Slack keeps a few of its own); everything else resolves there.
_SLACK_ONLY: dict[str, str] = {
    "simple_smile": "🙂",
    "smiling_face_with_3_hearts": "🥰",
    "the_horns": "🤘",
    "spock-hand": "🖖",
}


def normalize_emoji(raw: str) -> str:
    """``fire``, ``:fire:`` and 🔥 → 🔥; ``+1::skin-tone-4`` and 👍🏽 → 👍; ``❤️`` → ``❤``; a short code no
    emoji has (a workspace's own emoji) → ``:name:``; Telegram's custom emoji (``custom:123``) as they are."""
    text = raw.strip()
    if text.startswith("custom:"):
        return text
    if text and text.isascii():  # a short code: emoji are not ASCII
        name = _SKIN_TONE_SUFFIX.sub("", text.strip(":").lower()).split("::", 1)[0]
        return _from_short_code(name)
    return _PRESENTATION.sub("", text)


@lru_cache(maxsize=1024)
def _from_short_code(name: str) -> str:
    """Reactions come in bulk and use few names: each is looked up once (bounded cache)."""
    from emoji import is_emoji  # its tables take ~0.15 s to load: only once a short code comes, not at start

    for candidate in _candidates(name):
        if is_emoji(candidate):
            return _PRESENTATION.sub("", candidate)
    return f":{name}:"


def _candidates(name: str) -> Iterator[str]:
    """What Slack's name may stand for, most likely first: a known alias (``fire``, ``man-shrugging``), a
    gendered ``male-technologist``, a ``flag-fr``, or the emoji's Unicode name (``face_with_cowboy_hat``)."""
    from emoji import emojize

    yield _SLACK_ONLY.get(name, "")
    for alias in dict.fromkeys((name, name.replace("-", "_"))):
        yield emojize(f":{alias}:", language="alias")
    if gendered := _SLACK_GENDER.fullmatch(name):
        person = "man" if gendered[1] == "male" else "woman"
        yield emojize(f":{person}_{gendered[2].replace('-', '_')}:", language="alias")
    if flag := _SLACK_FLAG.fullmatch(name):
        yield _regional_indicators(flag[1])
    try:
        yield unicodedata.lookup(name.replace("_", " ").replace("-", " "))
    except KeyError:
        pass


def _regional_indicators(country: str) -> str:
    """``fr`` → 🇫🇷 (a flag is its country code in regional indicator letters)."""
    return "".join(chr(0x1F1E6 + ord(letter) - ord("a")) for letter in country)
