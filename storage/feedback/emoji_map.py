"""The team's emoji → score map: which reactions count as a vote, and for how much."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from sqlmodel import Session

from storage.emoji import normalize_emoji
from storage.models import Team

DEFAULT_EMOJI_MAP: dict[str, int] = {"🔥": 5, "👍": 4, "😐": 3, "👎": 1}


def format_emoji_map(mapping: Mapping[str, int]) -> str:
    """``{"🔥": 5, "👍": 4}`` → ``🔥=5 👍=4`` (highest score first): how it is stored and shown."""
    return " ".join(f"{e}={s}" for e, s in sorted(mapping.items(), key=lambda item: -item[1]))


def emoji_map_of(team: Team) -> dict[str, int]:
    """The team's emoji → score map (the default until an admin changes it)."""
    return parsed_emoji_map(team.feedback_emoji)


def parsed_emoji_map(stored: str | None) -> dict[str, int]:
    """``team.feedback_emoji`` as stored → the map (a fresh dict: callers may change it)."""
    return dict(_parsed(stored))


@lru_cache(maxsize=256)
def _parsed(stored: str | None) -> tuple[tuple[str, int], ...]:
    """Every reaction needs the map, and teams change it rarely: parsed once per spelling (bounded cache)."""
    if not stored:
        return tuple(DEFAULT_EMOJI_MAP.items())
    mapping: dict[str, int] = {}
    for pair in stored.split():
        emoji, _sep, score = pair.rpartition("=")
        mapping[normalize_emoji(emoji)] = int(score)
    return tuple(mapping.items())


def set_emoji_map(session: Session, *, team: Team, mapping: Mapping[str, int]) -> None:
    team.feedback_emoji = None if dict(mapping) == DEFAULT_EMOJI_MAP else format_emoji_map(mapping)
    session.add(team)
    session.flush()
