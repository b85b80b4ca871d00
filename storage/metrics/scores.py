"""Rating and NPS. The community's votes: rating = mean of 1-5 scores, NPS = % of 9-10 answers minus % of 0-6
answers. Results typed on an activity (``rating=4.7``, ``nps=91``, reported by an organiser or a form) are a
separate figure: shown beside the votes, never mixed into their mean, never dropped."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from storage.domain import Kind
from storage.models import Activity


@dataclass(frozen=True)
class NpsResult:
    score: float
    promoters: int
    passives: int
    detractors: int

    @property
    def count(self) -> int:
        return self.promoters + self.passives + self.detractors


def mean_rating(scores: Iterable[float]) -> float | None:
    """Mean of 1-5 scores; None with no answers."""
    values = list(scores)
    return mean_rating_of_totals(sum(values), len(values))


def mean_rating_of_totals(total: float, count: int) -> float | None:
    """The same mean from SUM() and COUNT() (many votes, aggregated in SQL); None with no answers."""
    return total / count if count else None


def nps(answers: Iterable[int]) -> NpsResult | None:
    """% of answers 9-10 minus % of answers 0-6, on a 0-10 question; None with no answers."""
    values = list(answers)
    return nps_of_counts(sum(1 for a in values if a >= 9), sum(1 for a in values if 7 <= a <= 8),
                         sum(1 for a in values if a <= 6))


def nps_of_counts(promoters: int, passives: int, detractors: int) -> NpsResult | None:
    """The same NPS from counts (answers 9-10, 7-8, 0-6, aggregated in SQL); None with no answers."""
    total = promoters + passives + detractors
    if total == 0:
        return None
    return NpsResult(100 * (promoters - detractors) / total, promoters, passives, detractors)


@dataclass(frozen=True)
class Reported:
    """The mean of the values typed on the activities that have one (each activity's figure weighs the same:
    how many people answered the organiser's survey is not known), and which kinds they are."""

    value: float
    activities: int
    kinds: frozenset[Kind]


def reported(activities: Sequence[Activity], field: str) -> Reported | None:
    """``field`` is "rating" or "nps"; None when no activity has one typed."""
    typed = [a for a in activities if getattr(a, field) is not None]
    if not typed:
        return None
    return Reported(value=sum(float(getattr(a, field)) for a in typed) / len(typed), activities=len(typed),
                    kinds=frozenset(Kind(a.kind) for a in typed))
