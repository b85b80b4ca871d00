"""The reminder sweep with a moved clock: right time, right person, each once, through failures."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from jobs.reminders import sweep_reminders
from storage.models import Reminder
from tests.conftest import Clock
from tests.helpers import BOB, say, text_of
from tests.jobs.messengers import RecordingMessenger
from tests.jobs.times import at


async def sweep(db, messenger, when: datetime, worker: str = "w1"):
    return await sweep_reminders(db, {"console": messenger}, clock=lambda: when, worker=worker)


async def test_plan_reminders_go_to_the_owner_before_on_and_after_the_due_day(router, db):
    say(router, "/help", user=BOB)
    say(router, '/plan add article "Kafka" due 2026-12-10 @bob @ Habr')
    messenger = RecordingMessenger()

    assert (await sweep(db, messenger, at(12, 7, 8, 59))).sent == 0
    assert (await sweep(db, messenger, at(12, 7, 9, 0))).sent == 1
    assert (await sweep(db, messenger, at(12, 7, 9, 30))).sent == 0  # not twice
    await sweep(db, messenger, at(12, 10, 9))
    await sweep(db, messenger, at(12, 11, 9))

    assert [t.user.display_name for t, _ in messenger.sent] == ["bob", "bob", "bob"]
    texts = messenger.texts
    assert texts[0].startswith("⏰ Coming up in 3 days (2026-12-10): publication #1 Kafka")
    assert texts[1].startswith("📅 Due today: publication #1 Kafka")
    assert texts[2].startswith("⚠️ Overdue since 2026-12-10")
    assert [b.command for b in messenger.sent[2][1].buttons] == ["/plan done 1", "/plan drop 1"]
    assert "Late" not in " ".join(texts)


async def test_a_done_item_is_not_reminded(router, db):
    say(router, '/plan add talk "T" due 2026-12-10 @ Conf')
    messenger = RecordingMessenger()
    await sweep(db, messenger, at(12, 7, 9))
    say(router, "/plan done 1")
    await sweep(db, messenger, at(12, 11, 9))
    assert len(messenger.sent) == 1


async def test_reminders_due_while_the_bot_was_down_go_out_once_saying_they_are_late(router, db):
    say(router, '/plan add talk "T" due 2026-12-10 @ Conf')
    messenger = RecordingMessenger()

    result = await sweep(db, messenger, at(12, 8, 10))  # down from the 6th until the 8th, 10:00

    assert result.sent == 1
    assert messenger.texts[0].startswith("⏰ Coming up in 2 days")
    assert "Late: this reminder was due 2026-12-07 09:00" in messenger.texts[0]
    assert (await sweep(db, messenger, at(12, 8, 11))).sent == 0


async def test_after_long_downtime_only_the_reminder_that_still_fits_is_sent(router, db):
    say(router, '/plan add talk "T" due 2026-12-10 @ Conf')
    messenger = RecordingMessenger()

    result = await sweep(db, messenger, at(12, 14, 10))  # back four days after the due day

    assert (result.sent, result.skipped) == (1, 2)
    assert messenger.texts[0].startswith("⚠️ Overdue since 2026-12-10") and "Late" in messenger.texts[0]


async def test_a_failed_send_is_retried_with_backoff_and_sent_once(router, db):
    say(router, '/plan add talk "T" due 2026-12-10 @ Conf')
    messenger = RecordingMessenger(fail_next=1)

    first = await sweep(db, messenger, at(12, 7, 9))
    assert (first.sent, first.failed) == (0, 1)
    assert (await sweep(db, messenger, at(12, 7, 9, 0) + timedelta(seconds=30))).sent == 0  # backing off
    assert (await sweep(db, messenger, at(12, 7, 9, 1))).sent == 1
    assert (await sweep(db, messenger, at(12, 7, 9, 2))).sent == 0
    assert len(messenger.sent) == 1


async def test_no_running_door_for_the_owner_leaves_the_reminder_for_later(router, db):
    say(router, '/plan add talk "T" due 2026-12-10 @ Conf')
    result = await sweep_reminders(db, {}, clock=lambda: at(12, 7, 9), worker="w1")
    assert result.failed == 1
    with db.session() as s:
        reminder = s.exec(select(Reminder).where(Reminder.kind == "due_soon")).one()
    assert reminder.sent_at is None and "console door is not running" in reminder.last_error


async def test_after_a_restart_in_the_middle_of_a_sweep_nothing_is_sent_twice_or_lost(router, db):
    for i in range(6):
        say(router, f'/plan add post "P{i}" due 2026-12-10 @ Blog')
    crashing = RecordingMessenger(crash_after=4)
    with pytest.raises(asyncio.CancelledError):  # the process is killed after four sends
        await sweep(db, crashing, at(12, 7, 9), worker="first-process")

    restarted = RecordingMessenger()
    assert (await sweep(db, restarted, at(12, 7, 9, 1), worker="second-process")).sent == 0  # claims still held
    await sweep(db, restarted, at(12, 7, 9, 6), worker="second-process")  # the dead process's lease is over

    titles = sorted(t.split("#")[1].split(" ")[1] for t in crashing.texts + restarted.texts)
    assert titles == ["P0", "P1", "P2", "P3", "P4", "P5"]


async def test_a_long_sweep_holds_each_claim_from_when_it_took_or_renewed_it(router, db):
    """Sends take two minutes each (a slow platform) against a five-minute lease, and a second worker sweeps
    in the middle of the 3rd and the 7th send: it gets only rows the first worker has not claimed yet or whose
    lease really ran out, so every reminder goes out once."""
    for i in range(10):
        say(router, f'/plan add post "P{i}" due 2026-12-10 @ Blog')
    clock = Clock(at(12, 7, 9))
    other = RecordingMessenger()

    async def other_worker_sweeps() -> None:
        await sweep_reminders(db, {"console": other}, clock=clock, worker="other", batch=4)

    class SlowMessenger(RecordingMessenger):
        async def send_direct(self, target, reply):  # noqa: ANN001, ANN202
            clock.advance(minutes=2)
            if len(self.sent) + 1 in (3, 7):
                await other_worker_sweeps()
            return await super().send_direct(target, reply)

    slow = SlowMessenger()
    result = await sweep_reminders(db, {"console": slow}, clock=clock, worker="slow", batch=4)

    titles = [t.split("#")[1].split(" ")[1] for t in slow.texts + other.texts]  # "… post #1 P0"
    assert sorted(titles) == sorted(f"P{i}" for i in range(10))  # each once
    assert other.texts and result.sent == len(slow.texts)
    with db.session() as s:
        assert all(r.sent_at for r in s.exec(select(Reminder).where(Reminder.kind == "due_soon")))


async def test_follow_up_for_numbers_snooze_and_no_numbers(router, db, clock):
    say(router, '/log article "Kafka" @ Habr 2026-11-26')
    messenger = RecordingMessenger()
    await sweep(db, messenger, at(12, 3, 9))
    [(_, question)] = messenger.sent
    assert text_of(question).startswith("📊 How many views did Kafka get? Reply with /update 1 views=…")
    snooze_day, snooze_week, no_numbers = question.buttons

    clock.now = at(12, 3, 9, 5)  # the owner presses "Snooze 1 day" five minutes later
    assert "ask again on 2026-12-04 09:05" in text_of(say(router, snooze_day.command))
    await sweep(db, messenger, at(12, 4, 9))
    assert len(messenger.sent) == 1
    await sweep(db, messenger, at(12, 4, 9, 5))
    assert len(messenger.sent) == 2

    say(router, snooze_week.command)
    say(router, no_numbers.command)
    say(router, '/update 1 title="Kafka, revised"')  # no new follow-up after "No numbers"
    await sweep(db, messenger, at(12, 31, 9))
    assert len(messenger.sent) == 2


async def test_checklist_ticking_and_its_reminders(router, db):
    say(router, '/log meetup "Go meetup" @ Office 2026-12-10')
    ask = say(router, "/checklist 1")
    assert "(0/10)" in text_of(ask) and len(ask.buttons) == 10
    ticked = say(router, ask.buttons[0].command)
    assert "✅ Own content" in text_of(ticked) and "(1/10)" in text_of(ticked) and len(ticked.buttons) == 9

    messenger = RecordingMessenger()
    await sweep(db, messenger, at(12, 3, 9))  # 7 days before
    assert "open checklist items: External content" in messenger.texts[0]
    assert "Own content" not in messenger.texts[0]

    for button in ticked.buttons:
        say(router, button.command)
    result = await sweep(db, messenger, at(12, 8, 9))  # 2 days before: nothing open, so no checklist reminder
    assert not [t for t in messenger.texts[1:] if "checklist" in t]
    assert result.skipped == 1 and messenger.texts[1].startswith("⏰ Coming up in 2 days")

    bad = say(router, "/checklist 1 tick snacks")
    assert bad.is_error and "tick or untick" in text_of(bad)


async def test_a_russian_team_is_reminded_and_asked_for_numbers_in_russian(router, db, clock):
    say(router, "/settings language=ru")
    say(router, '/log статья "Kafka" @ Хабр 26.11.2026')
    say(router, '/plan add пост "Итоги года" due 10.12.2026 @ Хабр')
    messenger = RecordingMessenger()

    await sweep(db, messenger, at(12, 3, 9))
    await sweep(db, messenger, at(12, 7, 9))

    texts = [text_of(reply) for _chat, reply in messenger.sent]
    assert texts[0].startswith("📊 Какой результат у Kafka по метрике «просмотры»? Ответьте так: /update 1 просмотры=…")
    assert [b.label for b in messenger.sent[0][1].buttons] == ["Напомнить через день", "Напомнить через неделю",
                                                                 "Без цифр"]
    assert texts[1].startswith("⏰ Через 3 дня (") and "): публикация #2 Итоги года @ Хабр" in texts[1]
