"""The days a period's figures cover. A period still running covers its days up to today ("so far"), and is
compared with the same span of the previous period (1-10 December against 1-10 November), not with all of it,
so a running month never reads as a collapse. Votes keep arriving after an activity: a window's rating and NPS
are "so far" until a week after it ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from storage.periods import Period

# Feedback on an activity mostly comes in within a week of it (cards and polls are posted on the day).
FEEDBACK_DAYS = 7


@dataclass(frozen=True)
class Window:
    period: Period
    end: date  # exclusive; the period's end, or earlier while it runs
    today: date | None = None  # the day it is measured on; None for a comparison's window

    @property
    def start(self) -> date:
        return self.period.start

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def partial(self) -> bool:
        """Covers only part of its period: it runs, or is the same span of a running one."""
        return self.end < self.period.end

    @property
    def running(self) -> bool:
        """Today is in the period (its last day too): its figures are "so far"."""
        return self.today is not None and self.today < self.period.end

    @property
    def votes_so_far(self) -> bool:
        """Votes on its activities may still arrive: it runs, or ended less than a week ago."""
        return self.today is not None and self.today < self.end + timedelta(days=FEEDBACK_DAYS)

    def previous(self) -> Window:
        """The previous period, over the same number of days when this one is partial."""
        before = self.period.previous()
        if not self.partial:
            return Window(before, before.end)
        return Window(before, min(before.start + (self.end - self.start), before.end))


def window_of(period: Period, *, today: date) -> Window:
    """The period up to and including today; all of it once it is over."""
    return Window(period, max(period.start, min(period.end, today + timedelta(days=1))), today)
