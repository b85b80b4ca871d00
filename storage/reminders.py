"""Reminders as rows: what is due is data; a sweep claims due rows atomically before it sends
(the outbox life cycle in :mod:`storage.outbox`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from sqlmodel import Session, col, select, update

from storage.domain import Kind, Status
from storage.ids import id_of
from storage.models import Activity, Reminder, Team
from storage.periods import local_moment

FOLLOW_UP_AFTER = timedelta(days=7)
FOLLOW_UP_KINDS = frozenset({Kind.PUBLICATION, Kind.EVENT})
CHECKLIST_DAYS_BEFORE = (7, 2)


class ReminderKind(StrEnum):
    DUE_SOON = "due_soon"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    FOLLOWUP = "followup"
    CHECKLIST = "checklist"


PLAN_KINDS = (ReminderKind.DUE_SOON, ReminderKind.DUE_TODAY, ReminderKind.OVERDUE, ReminderKind.CHECKLIST)


@dataclass(frozen=True)
class ReminderSettings:
    """What a team's reminders are timed by: its time zone, its reminder hour, the days before a due date."""

    timezone: str
    hour: int
    days_before: int

    @classmethod
    def of(cls, team: Team) -> ReminderSettings:
        return cls(timezone=team.timezone, hour=team.reminder_hour, days_before=team.reminder_days_before)


def planned_reminders(activity: Activity, team: Team) -> set[tuple[ReminderKind, datetime]]:
    """The plan reminders a planned item should have: before, on and after its due day (+ checklist)."""
    return plan_reminder_times(kind=activity.kind, status=activity.status, due=activity.due_date,
                               settings=ReminderSettings.of(team))


def plan_reminder_times(
    *, kind: str, status: str, due: date | None, settings: ReminderSettings
) -> set[tuple[ReminderKind, datetime]]:
    if status != Status.PLANNED.value or due is None:
        return set()
    hour, tz = settings.hour, settings.timezone
    wanted = {
        (ReminderKind.DUE_TODAY, local_moment(due, hour, tz)),
        (ReminderKind.OVERDUE, local_moment(due + timedelta(days=1), hour, tz)),
    }
    if settings.days_before > 0:
        wanted.add((ReminderKind.DUE_SOON, local_moment(due - timedelta(days=settings.days_before), hour, tz)))
    if kind == Kind.EVENT.value:
        wanted |= {(ReminderKind.CHECKLIST, local_moment(due - timedelta(days=d), hour, tz))
                   for d in CHECKLIST_DAYS_BEFORE}
    return wanted


def first_reminders(
    *, kind: str, status: str, on: date, due: date | None, settings: ReminderSettings, now: datetime
) -> list[tuple[ReminderKind, datetime]]:
    """The reminders a just-created activity gets, in the order :func:`reschedule` (``new=True``) adds them:
    its future plan reminders, then a done publication's or event's follow-up a week later."""
    wanted = sorted((k, at) for k, at in plan_reminder_times(kind=kind, status=status, due=due, settings=settings)
                    if at > now)
    if status == Status.DONE.value and Kind(kind) in FOLLOW_UP_KINDS:
        due_at = local_moment(on + FOLLOW_UP_AFTER, settings.hour, settings.timezone)
        if due_at > now:
            wanted.append((ReminderKind.FOLLOWUP, due_at))
    return wanted


def reschedule(session: Session, *, activity: Activity, team: Team, now: datetime, new: bool = False) -> None:
    """Make the activity's pending reminders match its current state (after any change to it).

    Unsent plan reminders that no longer fit are removed, missing future ones added. A done publication
    or event gets its one follow-up for numbers a week later, unless it ever had one (sent, snoozed or
    stopped with "No numbers"). ``new``: the activity was created in this transaction."""
    # A just-created activity has no reminders yet: no need to ask (this runs on every /log).
    existing = [] if new else session.exec(select(Reminder).where(Reminder.activity_id == activity.id)).all()
    wanted = {(k, at) for k, at in planned_reminders(activity, team) if at > now}
    have = {(ReminderKind(r.kind), _aware(r.due_at)) for r in existing}
    for reminder in existing:
        key = (ReminderKind(reminder.kind), _aware(reminder.due_at))
        if reminder.kind in PLAN_KINDS and _is_pending(reminder) and key not in wanted:
            session.delete(reminder)
    for kind, due_at in sorted(wanted - have):
        session.add(_new(activity=activity, kind=kind, due_at=due_at))
    followups = [r for r in existing if r.kind == ReminderKind.FOLLOWUP]
    if activity.status != Status.DONE.value:
        for reminder in followups:
            if _is_pending(reminder):
                reminder.cancelled_at = now
                session.add(reminder)
    elif not followups and Kind(activity.kind) in FOLLOW_UP_KINDS:
        due_at = local_moment(activity.date + FOLLOW_UP_AFTER, team.reminder_hour, team.timezone)
        if due_at > now:
            session.add(_new(activity=activity, kind=ReminderKind.FOLLOWUP, due_at=due_at))
    session.flush()


def snooze_followup(session: Session, *, activity: Activity, now: datetime, delay: timedelta) -> datetime:
    cancel_pending(session, activity_id=activity.id, kinds=(ReminderKind.FOLLOWUP,), now=now)
    due_at = now + delay
    session.add(_new(activity=activity, kind=ReminderKind.FOLLOWUP, due_at=due_at))
    session.flush()
    return due_at


def stop_followups(session: Session, *, activity: Activity, now: datetime) -> int:
    """"No numbers": cancel what is pending; the cancelled row also keeps reschedule from asking again."""
    cancelled = cancel_pending(session, activity_id=activity.id, kinds=(ReminderKind.FOLLOWUP,), now=now)
    if not session.exec(
        select(Reminder).where(Reminder.activity_id == activity.id, Reminder.kind == ReminderKind.FOLLOWUP.value)
    ).first():
        stopped = _new(activity=activity, kind=ReminderKind.FOLLOWUP, due_at=now)
        stopped.cancelled_at = now
        session.add(stopped)
        session.flush()
    return cancelled


def cancel_pending(
    session: Session, *, activity_id: int | None, kinds: tuple[ReminderKind, ...], now: datetime
) -> int:
    result = session.exec(
        update(Reminder)
        .where(
            col(Reminder.activity_id) == activity_id,
            col(Reminder.kind).in_([k.value for k in kinds]),
            col(Reminder.sent_at).is_(None),
            col(Reminder.cancelled_at).is_(None),
        )
        .values(cancelled_at=now)
    )
    return int(result.rowcount or 0)


def _new(*, activity: Activity, kind: ReminderKind, due_at: datetime) -> Reminder:
    return Reminder(team_id=activity.team_id, activity_id=id_of(activity), kind=kind.value, due_at=due_at,
                    next_attempt_at=due_at)


def _is_pending(reminder: Reminder) -> bool:
    return reminder.sent_at is None and reminder.cancelled_at is None and reminder.claimed_by is None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
