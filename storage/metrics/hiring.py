"""Hiring influence: the share of new hires who answered the survey "yes" or "partly", shown with both
denominators (answered, surveyed): "67% (2 of 3 answered; 4 surveyed)"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storage.metrics.shares import ratio
from storage.models import HireSurvey

INFLUENCED = ("yes", "partly")


@dataclass(frozen=True)
class HiringInfluence:
    yes: int
    partly: int
    answered: int  # answered the survey (yes, partly or no)
    surveyed: int  # were asked, answered or not

    @property
    def influenced(self) -> int:
        return self.yes + self.partly

    @property
    def share(self) -> float | None:
        """Of those who answered; None when nobody has."""
        return ratio(self.influenced, self.answered)


def hiring_influence(surveys: Sequence[HireSurvey]) -> HiringInfluence:
    answered = [s for s in surveys if s.answer is not None]
    return HiringInfluence(
        yes=sum(1 for s in answered if s.answer == "yes"),
        partly=sum(1 for s in answered if s.answer == "partly"),
        answered=len(answered),
        surveyed=len(surveys),
    )
