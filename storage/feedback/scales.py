"""The two scales a feedback card collects on."""

from __future__ import annotations

from enum import StrEnum

RATING_SCORES = range(1, 6)
NPS_SCORES = range(0, 11)


class Scale(StrEnum):
    RATING = "rating"  # 1-5
    NPS = "nps"  # 0-10


def scores_of(scale: Scale) -> range:
    return RATING_SCORES if scale is Scale.RATING else NPS_SCORES
