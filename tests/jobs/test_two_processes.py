"""Two bot processes sweep one database at once: every reminder is sent exactly once (no mocks)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

from sqlmodel import func, select

from storage.models import Reminder
from tests.conftest import postgres_db
from tests.helpers import lines_of_two_processes
from tests.jobs.sweep_worker import run_worker
from tests.rows import planned_item, reminder_states, team_with_member

ITEMS = 150
CREATED = datetime(2026, 11, 1, tzinfo=UTC)
SWEEP_AT = datetime(2026, 12, 31, tzinfo=UTC)  # every reminder is due


def fill(db) -> int:
    with db.session() as s:
        team, member = team_with_member(s)
        for i in range(ITEMS):
            planned_item(s, team=team, owner=member, title=f"Item {i}", due=date(2026, 12, 1 + i % 20), created=CREATED)
    with db.session() as s:
        return s.exec(select(func.count()).select_from(Reminder)).one()


def sweep_in_two_processes(url: str, schema: str | None, tmp_path) -> list[list[str]]:
    return lines_of_two_processes(run_worker, url, schema, tmp_path, SWEEP_AT.isoformat())


def assert_exactly_once(db, first: list[str], second: list[str]) -> None:
    """Every item is overdue by the sweep: its "overdue" reminder is sent once, the earlier two are dropped
    as no longer fitting, and no row is left pending."""
    counts = Counter(first + second)
    assert [line for line, n in counts.items() if n > 1] == []
    assert len(counts) == ITEMS and all(line.startswith("⚠️ Overdue") for line in counts)
    # Both processes ran at once from a common start; how the rows split between them is the scheduler's
    # business (on a loaded machine one may take nearly all), so only exactly-once is asserted.
    assert reminder_states(db) == {("sent", "overdue"): ITEMS, ("cancelled", "due_soon"): ITEMS,
                                   ("cancelled", "due_today"): ITEMS}


def test_two_processes_on_postgresql_send_each_reminder_once(postgres_schema_url, tmp_path):
    url, schema = postgres_schema_url
    db = postgres_db(url, schema)
    db.upgrade()
    assert fill(db) == ITEMS * 3

    first, second = sweep_in_two_processes(url, schema, tmp_path)

    assert_exactly_once(db, first, second)
    db.dispose()


def test_two_processes_on_one_sqlite_file_send_each_reminder_once(db, tmp_path):
    assert fill(db) == ITEMS * 3

    first, second = sweep_in_two_processes(db.engine.url.render_as_string(), None, tmp_path)

    assert_exactly_once(db, first, second)

