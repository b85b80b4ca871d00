"""The derived metrics of PRODUCT.md, each defined once and used everywhere (replies, stats, digest, export).

Reach and engagement are linear in the raw counts, so the same functions serve one activity and the
per-kind sums of a whole period (``Figures`` of a single row or of SUM() over many).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from storage.domain import Kind

IN_PERSON_KINDS = frozenset({Kind.TALK, Kind.EVENT, Kind.PARTNERSHIP})


@dataclass(frozen=True)
class Figures:
    """Raw counts of one activity, or summed over many of one kind. Missing values count as zero."""

    kind: Kind
    count: int = 1
    audience: int = 0
    stream_views: int = 0
    views: int = 0
    likes: int = 0
    shares: int = 0
    comments: int = 0
    contacts: int = 0
    target_actions: int = 0
    subscribers: int = 0
    participants: int = 0
    costs: Mapping[str, Decimal] = field(default_factory=dict)  # currency -> total cost
    paid_contacts: Mapping[str, int] = field(default_factory=dict)  # currency -> contacts of what cost it


def reach(f: Figures) -> int:
    """audience + stream views (talks, events, partnerships), or views (publications, social)."""
    if f.kind in IN_PERSON_KINDS:
        return f.audience + f.stream_views
    return f.views


def engagement(f: Figures) -> int:
    """likes + shares + comments."""
    return f.likes + f.shares + f.comments


def cost_per_contact(cost: Decimal | None, contacts: int | None) -> Decimal | None:
    """cost / contacts; None (shown as "—") when there are no contacts or no cost, never 0 or infinity."""
    if cost is None or not contacts:
        return None
    return (Decimal(cost) / Decimal(contacts)).quantize(Decimal("0.01"))


def ratio(numerator: int, denominator: int) -> float | None:
    """A share in [0, 1], or None when there is nothing to divide by."""
    return None if denominator == 0 else numerator / denominator


def plan_fulfilment(done_by_due_date: int, due_in_period: int) -> float | None:
    """planned items done by their due date / planned items due in the period."""
    return ratio(done_by_due_date, due_in_period)


def mean_rating(scores: Iterable[float]) -> float | None:
    """Mean of 1-5 scores (emoji reactions and rating polls); None with no answers."""
    values = list(scores)
    return mean_rating_of_totals(sum(values), len(values))


def mean_rating_of_totals(total: float, count: int) -> float | None:
    """The same mean from SUM() and COUNT() (many votes, aggregated in SQL); None with no answers."""
    return total / count if count else None


@dataclass(frozen=True)
class NpsResult:
    score: float
    promoters: int
    passives: int
    detractors: int

    @property
    def count(self) -> int:
        return self.promoters + self.passives + self.detractors


def nps(answers: Iterable[int]) -> NpsResult | None:
    """% of answers 9-10 minus % of answers 0-6, on a 0-10 question; None with no answers."""
    promoters = passives = detractors = 0
    for a in answers:
        if a >= 9:
            promoters += 1
        elif a >= 7:
            passives += 1
        else:
            detractors += 1
    return nps_of_counts(promoters, passives, detractors)


def nps_of_counts(promoters: int, passives: int, detractors: int) -> NpsResult | None:
    """The same NPS from counts (answers 9-10, 7-8, 0-6, aggregated in SQL); None with no answers."""
    total = promoters + passives + detractors
    if total == 0:
        return None
    return NpsResult(100 * (promoters - detractors) / total, promoters, passives, detractors)


def hiring_influence(yes: int, partly: int, surveyed: int) -> float | None:
    """Share of surveyed new hires who answered "yes" or "partly"."""
    return ratio(yes + partly, surveyed)


def percent_change(current: float, previous: float) -> float | None:
    """Change against the previous period in %; None when the previous period had nothing."""
    if previous == 0:
        return None
    return 100 * (current - previous) / previous
