"""Ratios and changes, undefined (None) where there is nothing to divide by — never 0 or infinity."""

from __future__ import annotations


def ratio(numerator: float, denominator: float) -> float | None:
    """A share, or None when there is nothing to divide by."""
    return None if denominator == 0 else numerator / denominator


def percent_change(current: float, previous: float) -> float | None:
    """Change against the previous period in %; None when the previous period had nothing."""
    if previous == 0:
        return None
    return 100 * (current - previous) / previous
