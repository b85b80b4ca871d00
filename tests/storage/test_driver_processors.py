"""The driver's parameter processing (storage/driver.py): the text SQLite stores for a time is exactly what
SQLAlchemy would store, and the columns of one type share one processor, so a value several statements pass is
converted once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import sqlite

from storage.community.members import _NOTE_MEMBER
from storage.driver import _processed
from storage.events import _MARK
from storage.feedback.order import _PRESENT
from storage.models import Vote

TIMES = [
    datetime(2026, 12, 2, 13, 1, 2, 3, tzinfo=UTC),
    datetime(2026, 12, 2, 13, 1, 2, tzinfo=UTC),  # no microseconds: still six digits
    datetime(2026, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=-5))),  # stored as UTC
    datetime(999, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=3))),  # a year of three digits, padded
]


def processors(statement, name: str):
    return dict(statement._for(sqlite.dialect()).processors)[name]


def test_a_time_is_stored_as_the_text_sqlalchemy_makes_of_it():
    dialect = sqlite.dialect()
    library = Vote.metadata.tables["vote"].c.cast_at.type.dialect_impl(dialect).bind_processor(dialect)
    ours = processors(_MARK["sqlite"], "created_at")

    assert [ours(t) for t in TIMES] == [library(t) for t in TIMES]
    assert ours(None) is None
    with pytest.raises(ValueError):  # a naive time is refused, as SQLModel's type refuses it
        ours(datetime(2026, 12, 2, 13, 0))


def test_columns_of_one_type_share_one_processor_so_a_value_is_converted_once():
    member_now = processors(_NOTE_MEMBER["sqlite"], "now")
    assert member_now is processors(_MARK["sqlite"], "created_at") is processors(_PRESENT, "stale_before")

    for earlier in TIMES[:3]:  # an earlier vote's three times
        _processed(member_now, earlier)
    now, day_before = datetime.now(UTC), datetime.now(UTC) - timedelta(days=1)
    # A vote's statements pass ``now`` and the day before it in turn: both stay converted.
    first = [_processed(member_now, value) for value in (now, day_before)]
    again = [_processed(member_now, value) for value in (now, day_before, now)]
    assert again[0] is first[0] and again[1] is first[1] and again[2] is first[0]


def test_prepared_is_what_execute_sends_to_the_driver(db):
    """The benchmark's vote floor runs prepared statements on a bare connection: they must be the very SQL and
    arguments a door's vote sends."""
    from sqlalchemy import event

    sent: list[tuple[str, object]] = []
    params = {"platform": "slack", "event_id": "Ev1", "created_at": TIMES[0]}
    statement = _MARK["sqlite"]
    observed = type(statement)(statement.statement, observed=True)
    event.listen(db.engine, "before_cursor_execute",
                 lambda conn, cursor, sql, args, context, many: sent.append((sql, args)))
    with db.session() as session:
        observed.execute(session, params)

    assert sent[-1] == statement.prepared(db.engine.dialect, params)
    assert sent[-1][1] == ("slack", "Ev1", "2026-12-02 13:01:02.000003")
