"""/update: numbers and details change, each change is reported, bad input changes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.models import Activity, ActivityTag
from tests.helpers import say, text_of


def test_update_changes_numbers_and_reports_each_change(router, db, talk):
    reply = say(router, "/update 1 audience=350 contacts=30 #dba")

    text = text_of(reply)
    assert "audience: 300 → 350" in text
    assert "contacts: 25 → 30" in text
    assert "cost per contact $50.00" in text
    with db.session() as s:
        activity = s.get(Activity, 1)
        tags = sorted(t.tag for t in s.exec(select(ActivityTag)).all())
    assert (activity.audience, activity.contacts) == (350, 30)
    assert tags == ["backend", "dba"]


def test_update_title_date_and_status(router, db, talk):
    say(router, '/update #1 title="Scaling Postgres, part 2" 2026-12-24 status=planned')
    with db.session() as s:
        activity = s.get(Activity, 1)
    assert (activity.title, activity.date.isoformat(), activity.status) == (
        "Scaling Postgres, part 2", "2026-12-24", "planned")
    assert activity.title_key == "scaling postgres part 2"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/update", "Which activity"),
        ("/update abc views=1", "not an activity number"),
        ("/update 99 audience=1", "no activity #99"),
        ("/update 1", "Nothing to update"),
        ("/update 1 views=10", "does not apply to a talk"),
        ("/update 1 audience=-1", "cannot be negative"),
        ("/update 1 title=", "title cannot be empty"),
    ],
)
def test_bad_updates_change_nothing(router, db, talk, line, expected):
    reply = say(router, line)
    assert reply.is_error
    assert expected in text_of(reply)
    with db.session() as s:
        assert s.get(Activity, 1).audience == 300
