"""Moments of the job tests' year: the sweeps are run at these times, nobody waits for them."""

from __future__ import annotations

from datetime import UTC, datetime


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """That moment of 2026, in UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)
