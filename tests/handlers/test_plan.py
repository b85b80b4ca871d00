from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from handlers.core import Attachment, ChatRef, Incoming, UserRef
from storage.models import Activity, Reminder
from tests.helpers import ALICE, BOB, TEAM_CHAT, say, text_of


def reminders(db, activity_id: int = 1) -> list[tuple[str, datetime]]:
    with db.session() as s:
        rows = s.exec(select(Reminder).where(Reminder.activity_id == activity_id,
                                             Reminder.sent_at.is_(None),  # type: ignore[union-attr]
                                             Reminder.cancelled_at.is_(None)).order_by(Reminder.due_at)).all()  # type: ignore[union-attr]
        return [(r.kind, r.due_at) for r in rows]


def at(day: int, hour: int, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def test_plan_add_puts_an_owned_item_in_the_plan_with_its_reminders(router, db):
    say(router, "/help", user=BOB)
    reply = say(router, '/plan add article "Postgres 17" due 2026-12-10 @bob @ Habr #backend https://habr.com/p')

    assert "Added to the plan: publication #1 Postgres 17 @ Habr, 2026-12-10 · planned, owner bob" in text_of(reply)
    with db.session() as s:
        item = s.get(Activity, 1)
    assert (item.status, item.due_date.isoformat(), item.url) == ("planned", "2026-12-10", "https://habr.com/p")
    # 3 days before, on the day and the day after, at the team's morning hour (09:00, UTC team).
    assert reminders(db) == [("due_soon", at(7, 9)), ("due_today", at(10, 9)), ("overdue", at(11, 9))]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/plan add", "What goes in the plan"),
        ('/plan add talk "X"', "needs a due date"),
        ('/plan add talk "X" due 2026-13-01', "not a real calendar date"),
        ('/plan add talk "X" due 2026-12-01 status=done', "Plan items are planned"),
        ('/plan add talk "X" due 2026-12-01 @ghost @ Conf', "No one in this team is called @ghost"),
        ('/plan add tlak "X" due 2026-12-01', "not a kind of activity"),
        ("/plan sometime", "I don't know what"),
        ("/plan done 99", "no activity #99"),
        ("/plan move 1", "new due date"),
    ],
)
def test_bad_plan_commands_explain_and_store_nothing(router, db, line, expected):
    reply = say(router, line)
    assert reply.is_error and expected in text_of(reply)
    with db.session() as s:
        assert s.exec(select(Activity)).all() == []


def test_plan_lists_open_items_soonest_first_with_overdue_marked(router):
    say(router, "/help", user=BOB)
    say(router, '/plan add post "Later" due 2026-12-20')
    say(router, '/plan add post "Overdue" due 2026-11-20 @bob')
    say(router, '/plan add post "Soon" due 2026-11-28')
    say(router, '/log post "Not in plan" @ Blog 2026-11-25')

    text = text_of(say(router, "/plan"))
    assert text.index("Overdue") < text.index("Soon") < text.index("Later")
    assert "2026-11-20 ⚠️ overdue" in text and "Not in plan" not in text
    assert "Later" not in text_of(say(router, "/plan week"))
    assert "Overdue" in text_of(say(router, "/plan @bob")) and "Soon" not in text_of(say(router, "/plan @bob"))


def test_plan_done_turns_the_item_into_a_done_activity_and_asks_for_numbers_a_week_later(router, db):
    say(router, '/plan add article "Kafka" due 2026-11-26 @ Habr')
    assert [k for k, _ in reminders(db)] == ["overdue"]  # 09:00 today has passed: no "due today" any more

    reply = say(router, "/plan done 1 views=12k likes=300")

    assert "Done: publication #1 Kafka @ Habr, 2026-11-26" in text_of(reply)
    assert "views: — → 12,000" in text_of(reply)
    with db.session() as s:
        item = s.get(Activity, 1)
    assert (item.status, item.done_on.isoformat(), item.views) == ("done", "2026-11-26", 12_000)
    assert reminders(db) == [("followup", at(3, 9))]  # the plan reminders are gone
    assert "not in the plan" in text_of(say(router, "/plan done 1"))


def test_plan_move_reschedules_and_drop_removes_the_reminders(router, db):
    say(router, '/plan add talk "T" due 2026-12-10 @ Conf')
    say(router, "/plan move 1 2026-12-20")
    assert reminders(db) == [("due_soon", at(17, 9)), ("due_today", at(20, 9)), ("overdue", at(21, 9))]
    refused = say(router, "/plan drop 1", user=BOB)
    assert refused.is_error and "Only the owner" in text_of(refused)
    assert "Dropped from the plan" in text_of(say(router, "/plan drop 1"))
    assert reminders(db) == []
    with db.session() as s:
        assert s.get(Activity, 1).status == "cancelled"


def test_log_with_a_future_date_is_in_the_plan_and_update_to_done_ends_its_reminders(router, db):
    say(router, '/log meetup "Meetup" @ Office 2026-12-10')
    kinds = [k for k, _ in reminders(db)]
    assert kinds == ["checklist", "due_soon", "checklist", "due_today", "overdue"]  # checklist at -7 and -2 days
    say(router, "/update 1 status=done")
    with db.session() as s:
        item = s.get(Activity, 1)
    assert (item.status, item.date.isoformat(), item.done_on.isoformat()) == ("done", "2026-11-26", "2026-11-26")
    assert [k for k, _ in reminders(db)] == ["followup"]
    say(router, "/update 1 audience=80")  # the numbers came in: stop asking
    assert reminders(db) == []


def test_plan_fulfilment_in_stats_by_hand(router, clock):
    # December, on the 20th: four items due; one done before its due date, one marked done after it without a
    # date (so done that day: late), one done a day after it, one not done; one dropped. 1 of 4 on time.
    for title, due in (("A", "2026-12-02"), ("B", "2026-12-05"), ("C", "2026-12-08"), ("D", "2026-12-10"),
                       ("E", "2026-12-12")):
        say(router, f'/plan add post "{title}" due {due}')
    say(router, "/plan done 1")  # early: done today, 26 Nov, before its due date
    clock.now = datetime(2026, 12, 15, 12, tzinfo=UTC)
    say(router, "/plan done 2")  # no date: done today, the 15th, ten days after its due date
    say(router, "/plan done 3 date=2026-12-09")  # happened a day after its due date
    say(router, "/plan drop 5")
    clock.now = datetime(2026, 12, 20, 12, tzinfo=UTC)

    text = text_of(say(router, "/stats month"))

    assert "• plan fulfilment: 25% (1 of 4 due items done on time) (was —)" in text


def test_plan_import_from_an_attached_csv(router, db):
    data = "kind,title,due,owner,outlet,tags,url\narticle,A,2026-12-01,alice,Habr,backend,\ntalk,B,05.12.2026,,,,\n"
    incoming = Incoming(chat=TEAM_CHAT, user=ALICE, command="plan", args="import",
                        attachments=(Attachment("plan.csv", data.encode()),))
    [reply] = router.dispatch(incoming)
    assert "Imported 2 plan items" in text_of(reply)
    with db.session() as s:
        assert [(a.title, a.due_date.isoformat()) for a in s.exec(select(Activity)).all()] == [
            ("A", "2026-12-01"), ("B", "2026-12-05")]
    assert "Attach a CSV" in text_of(say(router, "/plan import"))


@pytest.mark.parametrize(
    ("platform", "how"),
    [("telegram", "as a file with the caption /plan import"), ("slack", "Slash commands cannot carry files"),
     ("console", "devrelbot plan import plan.csv")],
)
def test_plan_import_without_a_file_says_how_to_attach_one_on_that_platform(router, platform, how):
    chat = ChatRef(platform=platform, chat_id="c-1", workspace_id="W1" if platform == "slack" else None)
    reply = say(router, "/plan import", chat=chat, user=UserRef(platform, "u-1", "carol"))
    assert reply.is_error and "Attach a CSV file" in text_of(reply) and how in text_of(reply)


def test_plan_import_of_a_file_that_is_not_csv_says_so_and_imports_nothing(router, db):
    incoming = Incoming(chat=TEAM_CHAT, user=ALICE, command="plan", args="import",
                        attachments=(Attachment("plan.xlsx", b"PK\x03\x04"),))
    [reply] = router.dispatch(incoming)
    assert reply.is_error and "“plan.xlsx” is not a CSV file" in text_of(reply)
    with db.session() as s:
        assert s.exec(select(Activity)).all() == []


def test_reminder_settings_move_pending_reminders(router, db):
    say(router, '/plan add talk "T" due 2026-12-10 @ Conf')
    reply = say(router, "/settings reminder_hour=11 reminder_days=2 timezone=Europe/Berlin")
    assert "plan reminders: 2 days before and on the due day, at 11:00" in text_of(reply)
    # 11:00 in Berlin (UTC+1 in December) is 10:00 UTC.
    assert reminders(db) == [("due_soon", at(8, 10)), ("due_today", at(10, 10)), ("overdue", at(11, 10))]
    bad = say(router, "/settings reminder_hour=25")
    assert bad.is_error and "from 0 to 23" in text_of(bad)
    assert "Only a team admin" in text_of(say(router, "/settings reminder_hour=8", user=BOB))
