"""Calendar periods in a team's time zone: ISO weeks (Monday first), months and quarters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

PeriodName = Literal["week", "month", "quarter", "year"]
PERIOD_NAMES: tuple[PeriodName, ...] = ("week", "month", "quarter")


@dataclass(frozen=True)
class Period:
    name: PeriodName
    start: date  # inclusive
    end: date  # exclusive

    def previous(self) -> Period:
        return period_containing(self.name, self.start - timedelta(days=1))

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


def periods_back(last: Period, count: int) -> list[Period]:
    """``count`` periods of the same kind ending with ``last``, oldest first."""
    periods = [last]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return periods[::-1]


def local_moment(day: date, hour: int, timezone: str) -> datetime:
    """``hour`` o'clock on ``day`` in the given zone, as aware UTC (DST handled by zoneinfo)."""
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def local_today(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


def period_containing(name: PeriodName, day: date) -> Period:
    if name == "week":
        start = day - timedelta(days=day.weekday())
        return Period(name, start, start + timedelta(days=7))
    if name == "month":
        start = day.replace(day=1)
        return Period(name, start, _add_months(start, 1))
    if name == "year":
        return Period(name, date(day.year, 1, 1), date(day.year + 1, 1, 1))
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    return Period(name, start, _add_months(start, 3))


def _add_months(first_of_month: date, months: int) -> date:
    index = first_of_month.month - 1 + months
    return date(first_of_month.year + index // 12, index % 12 + 1, 1)


def elapsed_share(period: Period, today: date) -> float:
    """How much of the period has gone by at the end of ``today``: 0 before it starts, 1 once it is over."""
    days = (period.end - period.start).days
    gone = (min(max(today, period.start - timedelta(days=1)), period.last_day) - period.start).days + 1
    return max(0, gone) / days
