"""What people do on a feedback card in the reaction benchmarks, and what it must leave in the database.

Shared by the load generators (``slack_load.py``, the fake Bot API in ``fake_services.py``) and the checker
(``bench_reactions.py``): one person votes, changes their vote, takes it back, or reacts with an emoji that is
not a vote; some deliveries come twice — at the same moment as the original (a retry racing it) or late.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# The default emoji map (🔥=5 👍=4 😐=3 👎=1) and one emoji that is not a vote.
SCORES = {"🔥": 5, "👍": 4, "😐": 3, "👎": 1}
EMOJI = ["🔥", "👍", "😐", "👎", "🎉"]
SLACK_NAMES = {"🔥": "fire", "👍": "+1", "😐": "neutral_face", "👎": "-1", "🎉": "tada"}


@dataclass(frozen=True)
class Step:
    """One delivery: an emoji added and/or removed. ``twice``: delivered twice at once under one id (a retry
    racing the original). ``replay_of``: a late redelivery of an earlier step (it must change nothing)."""

    added: str | None = None
    removed: str | None = None
    twice: bool = False
    replay_of: int | None = None


def script(rng: random.Random) -> list[Step]:
    """One person: vote (57 %), change (20 %), withdraw (10 %), vote with the delivery racing its retry (3 %),
    withdraw then a late redelivery of the vote (2 %), a reaction that is not a vote (8 %)."""
    first, second = rng.sample(EMOJI[:4], 2)
    roll = rng.random()
    if roll < 0.57:
        return [Step(added=first)]
    if roll < 0.77:
        return [Step(added=first), Step(added=second, removed=first)]
    if roll < 0.87:
        return [Step(added=first), Step(removed=first)]
    if roll < 0.90:
        return [Step(added=first, twice=True)]
    if roll < 0.92:
        return [Step(added=first), Step(removed=first), Step(replay_of=0)]
    return [Step(added=EMOJI[4])]


def expected_score(steps: list[Step]) -> int | None:
    """The score the person's vote stands on at the end (None: no vote). Redeliveries change nothing."""
    vote: str | None = None
    for step in steps:
        if step.replay_of is not None:
            continue
        if step.removed is not None and vote == step.removed:
            vote = None
        if step.added in SCORES:
            vote = step.added
    return SCORES[vote] if vote is not None else None
