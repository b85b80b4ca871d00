"""Reminder times in the team's zone, and the claim that makes each reminder go out once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from storage import outbox
from storage.domain import Kind
from storage.models import Reminder
from storage.outbox import MAX_ATTEMPTS
from storage.periods import local_moment
from tests.rows import planned_item, team_with_member

NOW = datetime(2026, 10, 1, 12, tzinfo=UTC)


def _planned(session, *, timezone: str, due: date, kind: Kind = Kind.TALK):
    team, member = team_with_member(session, scope_id=f"c-{timezone}", timezone=timezone)
    return planned_item(session, team=team, owner=member, title="X", due=due, created=NOW, kind=kind)


def claim_due(session, *, now: datetime, worker: str, limit: int = 50, lease: timedelta = outbox.DEFAULT_LEASE):
    return outbox.claim(session, Reminder, now=now, worker=worker, limit=limit, lease=lease)


def _times(session, activity_id) -> dict[str, datetime]:
    rows = session.exec(select(Reminder).where(Reminder.activity_id == activity_id)).all()
    return {r.kind: r.due_at for r in rows}


@pytest.mark.parametrize(
    ("timezone", "soon_utc", "today_utc"),
    [
        ("UTC", datetime(2026, 10, 12, 9, tzinfo=UTC), datetime(2026, 10, 15, 9, tzinfo=UTC)),
        ("America/New_York", datetime(2026, 10, 12, 13, tzinfo=UTC), datetime(2026, 10, 15, 13, tzinfo=UTC)),
        ("Asia/Kolkata", datetime(2026, 10, 12, 3, 30, tzinfo=UTC), datetime(2026, 10, 15, 3, 30, tzinfo=UTC)),
    ],
)
def test_reminders_fall_at_nine_local_time(any_db, timezone, soon_utc, today_utc):
    with any_db.session() as s:
        activity = _planned(s, timezone=timezone, due=date(2026, 10, 15))
        times = _times(s, activity.id)
    assert times["due_soon"] == soon_utc
    assert times["due_today"] == today_utc
    assert times["overdue"] == today_utc + timedelta(days=1)


def test_reminders_keep_local_time_across_a_dst_change(db):
    # Berlin leaves summer time on Sunday 25 Oct 2026: 09:00 is 07:00 UTC before and 08:00 UTC after.
    with db.session() as s:
        activity = _planned(s, timezone="Europe/Berlin", due=date(2026, 10, 26))
        times = _times(s, activity.id)
    assert times["due_soon"] == datetime(2026, 10, 23, 7, tzinfo=UTC)
    assert times["due_today"] == datetime(2026, 10, 26, 8, tzinfo=UTC)
    assert local_moment(date(2026, 3, 30), 9, "Europe/Berlin") == datetime(2026, 3, 30, 7, tzinfo=UTC)


def test_past_reminders_are_not_created_and_events_get_checklist_ones(db):
    with db.session() as s:
        event = _planned(s, timezone="UTC", due=date(2026, 10, 5), kind=Kind.EVENT)
        times = _times(s, event.id)
    # Due in four days: "3 days before" and "2 days before" are ahead, "7 days before" has passed.
    assert sorted(times) == ["checklist", "due_soon", "due_today", "overdue"]
    assert times["checklist"] == datetime(2026, 10, 3, 9, tzinfo=UTC)


def test_a_claim_is_exclusive_until_its_lease_runs_out(any_db):
    with any_db.session() as s:
        activity = _planned(s, timezone="UTC", due=date(2026, 10, 15))
    later = datetime(2026, 10, 20, tzinfo=UTC)  # all three are due
    with any_db.session() as s:
        first = claim_due(s, now=later, worker="a", lease=timedelta(minutes=5))
    with any_db.session() as s:
        second = claim_due(s, now=later, worker="b", lease=timedelta(minutes=5))
    assert len(first) == 3 and second == []
    with any_db.session() as s:
        assert outbox.mark_sent(s, Reminder, row_id=first[0], worker="a", now=later)
    with any_db.session() as s:  # a dies; after the lease, b takes what a did not send
        taken_over = claim_due(s, now=later + timedelta(minutes=6), worker="b")
    assert taken_over == first[1:]
    with any_db.session() as s:
        assert not outbox.mark_sent(s, Reminder, row_id=first[1], worker="a", now=later)  # a's claim is gone
    del activity


def test_a_renewed_lease_counts_from_the_renewal_and_only_the_holder_renews_or_marks(any_db):
    with any_db.session() as s:
        _planned(s, timezone="UTC", due=date(2026, 10, 15))
    t0 = datetime(2026, 10, 20, tzinfo=UTC)
    lease = timedelta(minutes=5)
    with any_db.session() as s:
        kept, lapsed, _third = claim_due(s, now=t0, worker="a", lease=lease)
    with any_db.session() as s:  # a is still at it four minutes later: it renews one row before sending it
        assert outbox.renew(s, Reminder, row_id=kept, worker="a", now=t0 + timedelta(minutes=4), lease=lease)
    with any_db.session() as s:  # six minutes after the claim, b takes only what a let lapse
        taken = claim_due(s, now=t0 + timedelta(minutes=6), worker="b", lease=lease)
    assert kept not in taken and lapsed in taken

    later = t0 + timedelta(minutes=7)
    with any_db.session() as s:  # a's claim on the lapsed row is gone: it can neither renew nor mark it
        assert not outbox.renew(s, Reminder, row_id=lapsed, worker="a", now=later, lease=lease)
        assert not outbox.mark_sent(s, Reminder, row_id=lapsed, worker="a", now=later)
        assert not outbox.mark_cancelled(s, Reminder, row_id=lapsed, worker="a", now=later, reason="x")
        assert outbox.mark_failed(s, Reminder, row_id=lapsed, worker="a", now=later, error="x") is None
    with any_db.session() as s:
        row = s.get(Reminder, lapsed)
        assert (row.claimed_by, row.attempts, row.sent_at, row.cancelled_at) == ("b", 0, None, None)
        assert outbox.mark_sent(s, Reminder, row_id=kept, worker="a", now=later)  # a still holds this one


def test_failed_sends_back_off_then_give_up(db):
    with db.session() as s:
        _planned(s, timezone="UTC", due=date(2026, 10, 15))
    now = datetime(2026, 10, 20, tzinfo=UTC)
    with db.session() as s:
        reminder_id = claim_due(s, now=now, worker="a", limit=1)[0]
    delays = []
    for _ in range(MAX_ATTEMPTS):
        with db.session() as s:
            retry_at = outbox.mark_failed(s, Reminder, row_id=reminder_id, worker="a", now=now, error="boom")
        if retry_at is None:
            break
        delays.append(retry_at - now)
        now = retry_at
        with db.session() as s:
            assert reminder_id not in claim_due(s, now=now - timedelta(seconds=1), worker="a")  # not before its time
            assert reminder_id in claim_due(s, now=now, worker="a")
    assert delays[:4] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8)]
    with db.session() as s:
        reminder = s.get(Reminder, reminder_id)
    assert reminder.cancelled_at is not None and reminder.attempts == MAX_ATTEMPTS and reminder.last_error == "boom"
