"""Ids are never reused, on SQLite and PostgreSQL: a deleted activity's number stays dead, so an old
confirmation button cannot act on a newer activity."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import text
from sqlmodel import select

from storage.db import Database, upgrade
from storage.models import Activity, ActivityTag, FeedbackCard, Vote
from tests.helpers import say, text_of


def test_a_deleted_activitys_number_is_never_given_again(any_router, any_db):
    say(any_router, '/log talk "One" @ Conf 2026-11-20')
    say(any_router, '/log talk "Two" @ Conf 2026-11-21')
    ask = say(any_router, "/delete 2")
    old_button = ask.buttons[0].command
    assert old_button == "/delete 2 confirm"
    say(any_router, old_button)

    logged = text_of(say(any_router, '/log talk "Three" @ Conf 2026-11-22'))

    assert "talk #3" in logged
    again = say(any_router, old_button)  # the stale button, clicked once more: it says #2 is gone
    assert again.is_error and "#2 was deleted" in text_of(again)
    with any_db.session() as s:
        assert sorted(a.id for a in s.exec(select(Activity)).all()) == [1, 3]


def test_the_sqlite_rebuild_keeps_every_row_and_its_children(tmp_path):
    db = Database.from_url(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(db.engine, "0006")
    now = datetime(2026, 11, 20, tzinfo=UTC)
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO team (id, name, timezone, currency, digest_weekday, digest_hour, locale, "
                          "reminder_days_before, reminder_hour, polls_anonymous, created_at) "
                          "VALUES (1, 'T', 'UTC', 'USD', 0, 10, 'en', 3, 9, 1, :now)"), {"now": now})
        for activity_id in (1, 2, 5):
            conn.execute(text("INSERT INTO activity (id, team_id, kind, title, title_key, status, date, created_at, "
                              "updated_at) VALUES (:id, 1, 'talk', 'T', 't', 'done', '2026-11-20', :now, :now)"),
                         {"id": activity_id, "now": now})
            conn.execute(text("INSERT INTO activity_tag (activity_id, tag) VALUES (:id, 'backend')"),
                         {"id": activity_id})
        conn.execute(text("INSERT INTO feedback_card (id, team_id, activity_id, mode, scale, anonymous, platform, "
                          "chat_id, created_at) VALUES (1, 1, 5, 'emoji', 'rating', 0, 'console', 'c', :now)"),
                     {"now": now})
        conn.execute(text("INSERT INTO vote (card_id, team_id, scale, voter, score, cast_at) "
                          "VALUES (1, 1, 'rating', 'console:a', 5, :now)"), {"now": now})

    upgrade(db.engine)

    with db.session() as s:
        assert [a.id for a in s.exec(select(Activity).order_by(Activity.id)).all()] == [1, 2, 5]
        assert len(s.exec(select(ActivityTag)).all()) == 3
        assert len(s.exec(select(FeedbackCard)).all()) == 1 and len(s.exec(select(Vote)).all()) == 1
        s.delete(s.get(Activity, 5))
        s.flush()
        fresh = Activity(team_id=1, kind="talk", title="New", title_key="new", date=date(2026, 11, 21))
        s.add(fresh)
        s.flush()
        assert fresh.id == 6  # not 5 again
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # switched back on after migrating
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    db.dispose()


def test_every_sqlite_table_with_an_id_counts_up_forever(db):
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all()
    with_id = {name: sql for name, sql in rows if "\n\tid INTEGER" in sql}
    assert {"activity", "feedback_card", "hire_survey", "member", "team"} <= set(with_id)
    assert [name for name, sql in with_id.items() if "AUTOINCREMENT" not in sql] == []
