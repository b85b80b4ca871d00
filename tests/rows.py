"""Builders of stored rows for tests below the router (storage, jobs, faults): a team with its first member,
and planned items with their reminders, as the commands would have made them; what became of the reminders."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from sqlmodel import Session, select

from storage.activities import create_activity
from storage.db import Database
from storage.domain import Kind, Status
from storage.models import Activity, Member, Reminder, Team
from storage.reminders import reschedule
from storage.teams import get_or_create_member, get_or_create_team_for_chat


def team_with_member(session: Session, *, platform: str = "console", scope_id: str = "c", user_id: str = "u",
                     display_name: str = "u", timezone: str = "UTC") -> tuple[Team, Member]:
    """A chat's team and the person who used it first."""
    team = get_or_create_team_for_chat(session, platform=platform, scope_id=scope_id, name="T", timezone=timezone)
    member = get_or_create_member(session, team=team, platform=platform, user_id=user_id, display_name=display_name)
    return team, member


def planned_item(session: Session, *, team: Team, owner: Member, title: str, due: date, created: datetime,
                 kind: Kind = Kind.PUBLICATION) -> Activity:
    """An item of the media plan due on ``due``, with the reminders it gets when it was planned at ``created``."""
    activity = create_activity(session, team_id=team.id, kind=kind, title=title, on=due, status=Status.PLANNED,
                               values={"due_date": due}, tags=(), owner_id=owner.id, created_by=owner.id)
    reschedule(session, activity=activity, team=team, now=created)
    return activity


def reminder_states(db: Database) -> Counter[tuple[str, str]]:
    """How many reminders of each kind were sent, cancelled or are still pending."""
    with db.session() as s:
        return Counter(("sent" if r.sent_at else "cancelled" if r.cancelled_at else "pending", r.kind)
                       for r in s.exec(select(Reminder)))
