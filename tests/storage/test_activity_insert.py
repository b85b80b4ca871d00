"""The Core write of a new activity (storage.activity_insert, /log's hot path) leaves the very rows the ORM path
(create_activity + reschedule) leaves: the activity, its tags, its reminders and its history — on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

from storage.activities import create_activity
from storage.activity_insert import insert_activity
from storage.db import Database
from storage.domain import Kind, Status
from storage.history import Actor, act_as
from storage.ids import id_of
from storage.models import Team
from storage.reminders import ReminderSettings, reschedule
from storage.teams import get_or_create_member, get_or_create_team_for_chat

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

# (kind, title, day, status, values, tags): a done talk, a planned event (plan and checklist reminders), a done
# publication (its follow-up a week later), a planned post due tomorrow, an item with every text field.
CASES = [
    (Kind.TALK, "Scaling Postgres", date(2026, 11, 20), Status.DONE,
     {"venue": "HighLoad++", "audience": 300, "contacts": 25, "cost": Decimal("1500"), "currency": "USD",
      "done_on": date(2026, 11, 20)}, ("backend", "dba")),
    (Kind.EVENT, "Go Meetup", date(2026, 12, 20), Status.PLANNED,
     {"venue": "Office", "due_date": date(2026, 12, 20), "purpose": "community"}, ()),
    (Kind.PUBLICATION, "Why we left Mongo", date(2026, 11, 25), Status.DONE,
     {"views": 12000, "likes": 40, "done_on": date(2026, 11, 25), "url": "https://blog.example.com/mongo"},
     ("backend",)),
    (Kind.SOCIAL, "Release thread", date(2026, 11, 27), Status.PLANNED,
     {"due_date": date(2026, 11, 27), "venue": "X"}, ("frontend", "mobile", "frontend")),
    (Kind.PARTNERSHIP, "Booth", date(2026, 11, 1), Status.DONE,
     {"participants": 800, "contacts": 95, "cost": Decimal("0"), "currency": "EUR", "rating": 4.5,
      "notes": "n" * 700, "done_on": date(2026, 11, 1), "purpose": "hiring"}, ("devops",)),
]

_BOOKKEEPING = {"id", "created_at", "updated_at"}  # the row's own id and the wall clock's moments
_IDS = {"team_id": "team", "activity_id": "activity", "owner_id": "member", "created_by": "member",
        "updated_by": "member", "member_id": "member"}


def _setup(db: Database, chat: str) -> tuple[Team, int, Actor]:
    with db.session() as s:
        team = get_or_create_team_for_chat(s, platform="console", scope_id=chat, name=chat, timezone="Europe/Berlin")
        team.reminder_days_before = 2
        s.add(team)
        member = get_or_create_member(s, team=team, platform="console", user_id="u", display_name="alice")
        s.flush()
        assert member.id is not None
        return team, member.id, Actor(member_id=member.id, name="alice", door="console", at=NOW)


def _rows(db: Database, team_id: int) -> dict[str, list[dict[str, Any]]]:
    """The team's ledger rows in id order, each without its id and wall-clock moments, and with the ids it
    points at read as what they are (the two paths write into two teams)."""
    found: dict[str, list[dict[str, Any]]] = {}
    with db.engine.connect() as conn:
        activities = SQLModel.metadata.tables["activity"]
        ids = select(activities.c.id).where(activities.c.team_id == team_id)
        for name in ("activity", "activity_tag", "reminder", "change"):
            table = SQLModel.metadata.tables[name]
            # (the change table also has the setup's own settings row: only the activity's rows are compared)
            mine = table.c.activity_id.in_(ids) if name in ("activity_tag", "change") else table.c.team_id == team_id
            order = table.c.tag if name == "activity_tag" else table.c.id
            rows = conn.execute(select(table).where(mine).order_by(order))
            found[name] = [_neutral(dict(row._mapping)) for row in rows]
    return found


def _neutral(row: dict[str, Any]) -> dict[str, Any]:
    row = {k: (_IDS[k] if k in _IDS and v is not None else v) for k, v in row.items() if k not in _BOOKKEEPING}
    if row.get("field") in _IDS:  # a history row of the owner: its value is a member's id
        row["new"] = _IDS[row["field"]]
    return row


@pytest.mark.parametrize("case", CASES, ids=[c[1] for c in CASES])
def test_the_core_write_leaves_the_rows_the_orm_path_leaves(case, any_db):
    kind, title, day, status, values, tags = case
    orm_team, orm_member, orm_actor = _setup(any_db, "orm")
    core_team, core_member, core_actor = _setup(any_db, "core")
    with any_db.session() as s:
        act_as(s, orm_actor)
        made = create_activity(s, team_id=id_of(orm_team), kind=kind, title=title, on=day, status=status,
                               values=values, tags=tags, owner_id=orm_member, created_by=orm_member)
        reschedule(s, activity=made, team=orm_team, now=NOW, new=True)
        orm_object = {c: getattr(made, c) for c in _SHOWN}
    with any_db.session() as s:
        written = insert_activity(s.connection(), team_id=id_of(core_team), kind=kind, title=title, on=day,
                                  status=status, values=values, tags=tags, owner_id=core_member,
                                  created_by=core_member, reminders=ReminderSettings.of(core_team),
                                  actor=core_actor, now=NOW)
        core_object = {c: getattr(written, c) for c in _SHOWN}

    orm_rows, core_rows = _rows(any_db, id_of(orm_team)), _rows(any_db, id_of(core_team))
    assert core_rows == orm_rows
    assert orm_rows["activity"] and orm_rows["change"]
    assert len(orm_rows["activity_tag"]) == len(set(tags))
    # The object the reply is rendered from: the same values, its own id.
    assert {k: v for k, v in core_object.items() if k not in _IDS and k != "id"} == {
        k: v for k, v in orm_object.items() if k not in _IDS and k != "id"}
    assert written.id is not None and written.team_id == core_team.id


_SHOWN = [c for c in SQLModel.metadata.tables["activity"].c.keys() if c not in ("created_at", "updated_at")]


def test_an_unknown_column_is_refused_before_anything_is_written(db):
    team, member_id, actor = _setup(db, "c")
    with pytest.raises(TypeError, match="not columns of activity"), db.session() as s:
        insert_activity(s.connection(), team_id=id_of(team), kind=Kind.TALK, title="X", on=date(2026, 11, 20),
                        status=Status.DONE, values={"audiense": 3}, tags=(), owner_id=member_id,
                        created_by=member_id, reminders=ReminderSettings.of(team), actor=actor, now=NOW)
