"""A stored row's id. SQLModel types a primary key ``int | None`` because a new row has none until it is
flushed; code that works with stored rows states that here, once, instead of passing ``None`` on."""

from __future__ import annotations

from typing import Protocol


class _HasId(Protocol):
    @property
    def id(self) -> int | None: ...


def id_of(row: _HasId) -> int:
    """``row.id``; a row without one was never flushed, which is a bug in the caller."""
    if row.id is None:
        raise ValueError(f"this {type(row).__name__} has no id yet: flush it first")
    return row.id
