from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from devrelbot.storage.models import Activity, ActivityTag
from tests.helpers import say, text_of


def test_log_talk_stores_it_and_replies_with_derived_numbers(router, db):
    reply = say(router, '/log talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300 contacts=25 '
                        'cost=1500 #backend #dba')

    assert not reply.is_error
    assert "Logged talk #1" in text_of(reply)
    assert "reach 300" in text_of(reply)
    assert "cost per contact $60.00" in text_of(reply)
    with db.session() as s:
        activity = s.exec(select(Activity)).one()
        tags = sorted(t.tag for t in s.exec(select(ActivityTag)).all())
    assert (activity.kind, activity.title, activity.venue) == ("talk", "Scaling Postgres", "HighLoad++")
    assert (activity.audience, activity.contacts, activity.cost, activity.currency) == (300, 25, Decimal("1500"), "USD")
    assert activity.status == "done"
    assert tags == ["backend", "dba"]
