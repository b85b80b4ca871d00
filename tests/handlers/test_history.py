"""History: every create, update, move, done, drop, delete, restore and settings change leaves a row — who, when,
which field, old → new, through which door — in the transaction of the change; /history shows it, /export
history gives all of it, and a deleted activity comes back with /restore until housekeeping prunes it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlmodel import col, select

from handlers.core import ChatRef, UserRef
from jobs.housekeeping import prune
from storage.models import Activity, ActivityTag, ArchivedActivity, Change, FeedbackCard, Vote, VoteOrder
from tests.dbstate import snapshot
from tests.handlers.feedback_support import posted
from tests.helpers import BOB, say, text_of


def changes(db, **where) -> list[tuple]:
    """(action, field, old, new, actor, door) of the rows that match, oldest first."""
    with db.session() as s:
        query = select(Change).order_by(col(Change.id))
        for name, value in where.items():
            query = query.where(getattr(Change, name) == value)
        return [(c.action, c.field, c.old, c.new, c.actor, c.door) for c in s.exec(query).all()]


def rows_of(db, model) -> list[tuple]:
    with db.session() as s:
        return [tuple(row.model_dump().values()) for row in s.exec(select(model)).all()]


def test_logging_records_who_created_each_value(any_router, any_db):
    say(any_router, '/log talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300 cost=1500 #backend #dba')

    rows = changes(any_db, activity_id=1)

    assert {(action, field, old, new) for action, field, old, new, _who, _door in rows} >= {
        ("create", "title", None, "Scaling Postgres"), ("create", "venue", None, "HighLoad++"),
        ("create", "date", None, "2026-11-20"), ("create", "audience", None, "300"), ("create", "cost", None, "1500"),
        ("create", "tags", None, "#backend #dba"),
    }
    assert {(who, door) for *_rest, who, door in rows} == {("alice", "console")}


def test_an_update_records_old_and_new_of_each_changed_field_only(any_router, any_db):
    say(any_router, '/log talk "T" @ Conf 2026-11-20 audience=300 contacts=25 #backend')
    say(any_router, "/update 1 audience=350 contacts=25 #devops")

    assert changes(any_db, activity_id=1, action="update") == [
        ("update", "audience", "300", "350", "alice", "console"),
        ("update", "tags", "#backend", "#backend #devops", "alice", "console"),
    ]


def test_plan_move_done_and_drop_are_recorded_as_such(any_router, any_db):
    say(any_router, '/plan add article "A" due 2026-12-10 @ Habr')
    say(any_router, '/plan add article "B" due 2026-12-11 @ Habr')
    say(any_router, "/plan move 1 2026-12-20")
    say(any_router, "/plan done 1 views=1200")
    say(any_router, "/plan drop 2")

    moved, = changes(any_db, activity_id=1, action="move", field="due_date")
    assert moved[2:4] == ("2026-12-10", "2026-12-20")
    done = changes(any_db, activity_id=1, action="done")
    assert ("done", "status", "planned", "done", "alice", "console") in done
    assert ("done", "views", None, "1200", "alice", "console") in done
    assert changes(any_db, activity_id=2, action="drop") == [("drop", "status", "planned", "cancelled", "alice",
                                                               "console")]


def test_settings_changes_are_recorded_with_old_and_new(any_router, any_db):
    say(any_router, "/settings timezone=Europe/Berlin currency=EUR")
    say(any_router, "/settings emoji 🔥=5 👎=1")

    rows = changes(any_db, action="settings")

    assert ("settings", "timezone", "UTC", "Europe/Berlin", "alice", "console") in rows
    assert ("settings", "currency", "USD", "EUR", "alice", "console") in rows
    assert [r[1] for r in rows].count("feedback_emoji") == 1


def test_the_door_is_recorded(router, db):
    group = ChatRef(platform="telegram", chat_id="-100")
    carol = UserRef(platform="telegram", user_id="7", display_name="carol")
    say(router, '/log talk "T" @ Conf 2026-11-20 audience=10', user=carol, chat=group)
    say(router, "/update 1 audience=20", user=carol, chat=group)

    assert changes(db, action="update") == [("update", "audience", "10", "20", "carol", "telegram")]


def test_a_refused_change_leaves_no_history(any_router, any_db):
    say(any_router, '/log talk "T" @ Conf 2026-11-20 audience=10')
    say(any_router, "/help", user=BOB, admin=False)
    before = snapshot(any_db)

    assert say(any_router, "/update 1 audience=20", user=BOB, admin=False).is_error
    assert say(any_router, "/update 1 audience=lots").is_error

    assert snapshot(any_db) == before


def test_history_answers_who_changed_this_number_and_when(router, clock):
    say(router, '/log talk "T" @ Conf 2026-11-20 audience=300')
    say(router, "/help", user=BOB, admin=False)
    clock.advance(hours=2)
    say(router, "/update 1 audience=350")

    shown = text_of(say(router, "/history 1", user=BOB, admin=False))  # any member may look

    assert "History of #1" in shown
    first, *_rest = [line for line in shown.splitlines() if line.startswith("• ")]
    assert "2026-11-26 14:00" in first and "alice (console)" in first and "audience: 300 → 350" in first


def test_history_of_a_person_and_of_the_settings_is_for_admins(router):
    say(router, '/log talk "T" @ Conf 2026-11-20 audience=300')
    say(router, "/settings currency=EUR")
    say(router, "/help", user=BOB, admin=False)

    person = text_of(say(router, "/history @alice"))
    settings = text_of(say(router, "/history settings"))
    refused = [say(router, line, user=BOB, admin=False) for line in ("/history @alice", "/history settings")]

    assert "Changes by alice" in person and "#1 created" in person
    assert "currency: USD → EUR" in settings
    assert all(r.is_error and "team admin" in text_of(r) for r in refused)


def test_history_of_nothing_says_so_with_an_example(router):
    for line in ("/history 9", "/history", "/history @nobody"):
        reply = say(router, line)
        assert reply.is_error and "/history" in text_of(reply), line


def test_export_history_is_csv_with_neutralised_cells(any_router):
    say(any_router, '/log talk "=1+2" @ Conf 2026-11-20 audience=10')
    say(any_router, '/update 1 title="@SUM(A1)" audience=20')

    reply = say(any_router, "/export history")

    assert reply.document is not None
    rows = list(csv.reader(io.StringIO(reply.document.content.decode("utf-8-sig"))))
    assert rows[0] == ["at", "who", "door", "activity", "action", "field", "old", "new"]
    assert ["alice", "console", "1", "update", "title", "'=1+2", "'@SUM(A1)"] == rows[-1][1:] or [
        "alice", "console", "1", "update", "title", "'=1+2", "'@SUM(A1)"] in [r[1:] for r in rows]
    assert [c for r in rows for c in r if c[:1] in ("=", "+", "-", "@")] == []


def test_delete_is_soft_and_restore_brings_back_the_same_number_with_its_tags_and_feedback(any_router, any_db):
    say(any_router, '/log talk "Kept" @ Conf 2026-11-20 audience=10 #backend')
    card = say(any_router, "/feedback 1")
    posted(any_router, card, message_id="m-card")
    from handlers.core import ReactionEvent
    from tests.helpers import TEAM_CHAT
    any_router.handle_event(ReactionEvent(chat=TEAM_CHAT, message_id="m-card", user=BOB, emoji="🔥", added=True,
                                          stamp=7))
    kept_orders = rows_of(any_db, VoteOrder)
    say(any_router, "/delete 1 confirm")

    with any_db.session() as s:
        assert s.exec(select(Activity)).all() == [] and s.exec(select(Vote)).all() == []
        assert s.get(ArchivedActivity, 1) is not None
    gone = say(any_router, "/show 1")
    assert gone.is_error and "#1 was deleted" in text_of(gone) and "/restore 1" in text_of(gone)

    restored = say(any_router, "/restore 1")

    assert not restored.is_error and "talk #1" in text_of(restored)
    with any_db.session() as s:
        (activity,) = s.exec(select(Activity)).all()
        assert (activity.id, activity.title, activity.audience) == (1, "Kept", 10)
        assert [t.tag for t in s.exec(select(ActivityTag))] == ["backend"]
        assert len(s.exec(select(FeedbackCard)).all()) == 1 and [v.score for v in s.exec(select(Vote))] == [5]
        assert s.exec(select(ArchivedActivity)).all() == []
    assert rows_of(any_db, VoteOrder) == kept_orders != []
    assert [r[0] for r in changes(any_db, activity_id=1)][-2:] == ["delete", "restore"]
    assert "Scaling" not in text_of(say(any_router, "/show 1")) and not say(any_router, "/show 1").is_error


def test_restore_is_for_admins_and_says_what_is_wrong(router):
    say(router, '/log talk "T" @ Conf 2026-11-20')
    say(router, "/help", user=BOB, admin=False)

    not_deleted = say(router, "/restore 1")
    say(router, "/delete 1 confirm")
    member = say(router, "/restore 1", user=BOB, admin=False)
    never = say(router, "/restore 7")

    assert not_deleted.is_error and "#1 is not deleted" in text_of(not_deleted)
    assert member.is_error and "admin" in text_of(member)
    assert never.is_error and "no deleted activity #7" in text_of(never)


def test_housekeeping_prunes_the_archive_after_the_retention_and_keeps_the_history(router, db, clock):
    say(router, '/log talk "Old" @ Conf 2026-11-20')
    say(router, '/log talk "Recent" @ Conf 2026-11-21')
    say(router, "/delete 1 confirm")
    clock.advance(days=20)
    say(router, "/delete 2 confirm")
    clock.advance(days=11)

    pruned = prune(db, now=clock.now, deleted_retention=timedelta(days=30))

    assert pruned.deleted == 1
    assert say(router, "/restore 1").is_error
    assert not say(router, "/restore 2").is_error
    assert "deleted" in text_of(say(router, "/history 1"))


def test_a_button_on_a_deleted_plan_item_says_it_is_gone(router):
    say(router, '/plan add article "A" due 2026-11-20 @ Habr')
    done_button = say(router, "/plan").buttons[0].command
    say(router, "/delete 1 confirm")

    reply = say(router, done_button)

    assert reply.is_error and "#1 was deleted" in text_of(reply)


def test_a_plan_imported_from_the_shell_is_recorded_as_the_cli(router, db, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from bot.cli import app
    from bot.console import LOCAL_CHAT

    say(router, "/help", chat=LOCAL_CHAT)  # the local team, with alice as its admin
    monkeypatch.setenv("DATABASE_URL", str(db.engine.url))
    plan = tmp_path / "plan.csv"
    plan.write_text("kind,title,due,owner,outlet,tags,url\narticle,From the shell,2026-12-10,alice,Habr,,\n")

    result = CliRunner().invoke(app, ["plan", "import", str(plan), "--team", "Local team"])

    assert result.exit_code == 0, result.output
    assert ("create", "title", None, "From the shell", "shell", "cli") in changes(db, activity_id=1)


def test_the_shell_exports_the_history_too(router, db, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from bot.cli import app
    from bot.console import LOCAL_CHAT

    say(router, '/log talk "+1 talk" @ Conf 2026-11-20 audience=10', chat=LOCAL_CHAT)
    monkeypatch.setenv("DATABASE_URL", str(db.engine.url))
    out = tmp_path / "history.csv"

    result = CliRunner().invoke(app, ["export", "history", str(out)])

    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert ["alice", "console", "1", "create", "title", "", "'+1 talk"] in [r[1:] for r in rows]


def test_the_settings_history_names_and_writes_each_setting_as_settings_does(router):
    say(router, "/settings timezone=Europe/Berlin digest=fri 16:00 polls=public reminder_hour=7 edits=team "
                "purpose=hiring")
    say(router, "/settings orbit reaction=4 levels=10/5/2")
    say(router, "/settings emoji 🔥=5 👎=1")

    shown = text_of(say(router, "/history settings"))

    for line in ("time zone: UTC → Europe/Berlin", "weekly digest, day: mon → fri",
                 "weekly digest, hour: 10:00 → 16:00", "polls: anonymous → public",
                 "plan reminders, hour: 09:00 → 07:00",
                 "numbers of an activity added by: its owner and admins → every member",
                 "default purpose: none → hiring", "feedback emoji: 🔥=5 👍=4 😐=3 👎=1 → 🔥=5 👎=1",
                 "community weights: reaction 1 · poll answer 2 · attendance 5 · talk 10; orbit levels from 20 / 8 / 3 "
                 "(1 / 2 / 3) → reaction 4 · poll answer 2 · attendance 5 · talk 10; orbit levels from 10 / 5 / 2"):
        assert line in shown, line
    for column in ("timezone", "digest_weekday", "digest_hour", "polls_anonymous", "reminder_hour", "edits",
                   "default_purpose", "feedback_emoji", "orbit"):
        assert f" {column}:" not in shown, column
    # What /settings lists now is what the history says each setting became.
    listed = text_of(say(router, "/settings"))
    for line in ("time zone: Europe/Berlin", "polls: public", "default purpose: hiring", "feedback emoji: 🔥=5 👎=1",
                 "numbers of an activity added by: every member", "weekly digest: fri 16:00"):
        assert line in listed, line


def test_the_settings_history_speaks_the_teams_language(router):
    say(router, "/settings digest=fri 16:00 polls=public")
    say(router, "/settings language=ru")

    shown = text_of(say(router, "/history settings"))

    for line in ("язык: en → ru", "еженедельный дайджест, день: пн → пт", "еженедельный дайджест, час: 10:00 → 16:00",
                 "опросы: анонимные → открытые"):
        assert line in shown, line
    listed = text_of(say(router, "/settings"))
    assert "опросы: открытые" in listed and "еженедельный дайджест: пт 16:00" in listed
