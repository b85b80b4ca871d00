"""Plan fulfilment: planned items done by their due date / planned items due. Only items due up to today
count, so a running month does not count next week's items as misses; dropped (cancelled) items never count."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from storage.domain import Status
from storage.metrics.shares import ratio
from storage.models import Activity


@dataclass(frozen=True)
class Fulfilment:
    due: int  # plan items due (up to today), dropped ones left out
    done_on_time: int  # of those, done on or before their due date

    @property
    def share(self) -> float | None:
        return ratio(self.done_on_time, self.due)


def on_time(item: Activity) -> bool:
    """Done, on or before its due date (an item marked done without a date was done that day)."""
    return (item.status == Status.DONE.value and item.due_date is not None and item.done_on is not None
            and item.done_on <= item.due_date)


def fulfilment(items: Sequence[Activity], *, through: date) -> Fulfilment:
    """Over plan items (those with a due date), counting only the ones due on or before ``through``."""
    due = [i for i in items if i.due_date is not None and i.due_date <= through and i.status != Status.CANCELLED.value]
    return Fulfilment(due=len(due), done_on_time=sum(1 for i in due if on_time(i)))

