"""The weekly digest job: due at the team's local day and hour, once per channel and week, in parts."""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlmodel import func, select

from handlers.core import ChatRef
from jobs.digest import sweep_digests
from storage.digests import next_digest_time
from storage.models import DigestDelivery, Team
from tests.conftest import Clock
from tests.helpers import say, text_of
from tests.jobs.messengers import RecordingMessenger
from tests.jobs.times import at

SECOND_CHAT = ChatRef(platform="console", chat_id="second-chat")


async def sweep(db, messenger, when: datetime, worker: str = "w1"):
    return await sweep_digests(db, {"console": messenger}, clock=lambda: when, worker=worker, pace=False)


def subscribe_with_data(router) -> None:
    say(router, '/log talk "Scaling Postgres" @ HighLoad++ 2026-11-18 audience=300 contacts=20')
    say(router, '/log post "Kafka" @ Habr 2026-11-24 views=1000')
    assert "will get the weekly digest" in text_of(say(router, "/digest here"))


async def test_the_digest_goes_out_at_the_teams_hour_in_three_parts_once(router, db):
    subscribe_with_data(router)  # Thursday 26 Nov; the digest is on Mondays at 10:00
    messenger = RecordingMessenger()

    assert (await sweep(db, messenger, at(11, 30, 9, 59))).sent == 0
    result = await sweep(db, messenger, at(11, 30, 10, 0))

    assert (result.opened, result.sent) == (1, 1)
    summary, details, chart = messenger.sent
    assert summary[0].fallback_chat == ChatRef("console", "team-chat")
    assert "Weekly digest, 2026-11-23 – 2026-11-29" in text_of(summary[1])
    assert "Kafka" in text_of(details[1]) and details[0].fallback_chat.thread_id is not None
    assert chart[1].image is not None and chart[1].image.content.startswith(b"\x89PNG")
    assert (await sweep(db, messenger, at(11, 30, 10, 5))).sent == 0
    assert (await sweep(db, messenger, at(12, 7, 10, 0))).sent == 1  # the next week: once again
    assert len(messenger.sent) == 6


async def test_the_schedule_is_local_time_across_a_dst_change(router, db):
    say(router, "/settings timezone=Europe/Berlin digest=mon 10:00")
    with db.session() as s:
        team = s.exec(select(Team)).one()
    # Berlin leaves summer time on 25 Oct: Monday 10:00 is 08:00 UTC before and 09:00 UTC after.
    assert next_digest_time(team, after=at(10, 15, 12)) == at(10, 19, 8)
    assert next_digest_time(team, after=at(10, 22, 12)) == at(10, 26, 9)
    assert next_digest_time(team, after=at(10, 26, 9)) == at(11, 2, 9)  # strictly after


async def test_a_channel_that_failed_is_retried_alone_from_where_it_stopped(router, db):
    subscribe_with_data(router)
    say(router, '/log talk "Other team talk" @ Conf 2026-11-24 audience=5', chat=SECOND_CHAT)  # a second team
    say(router, "/digest here", chat=SECOND_CHAT)
    with db.session() as s:
        teams = s.exec(select(func.count()).select_from(Team)).one()
    assert teams == 2

    flaky = RecordingMessenger()
    original = flaky.send_in_thread

    async def fail_once_on_the_chart(chat, parent_id, reply):  # noqa: ANN001
        if reply.image is not None and not getattr(fail_once_on_the_chart, "failed", False):
            fail_once_on_the_chart.failed = True  # type: ignore[attr-defined]
            raise ConnectionError("upload failed")
        return await original(chat, parent_id, reply)

    flaky.send_in_thread = fail_once_on_the_chart  # type: ignore[method-assign]
    first = await sweep(db, flaky, at(11, 30, 10))
    assert first.failed == 1
    sent_before_retry = len(flaky.sent)

    await sweep(db, flaky, at(11, 30, 10, 1))  # backoff: one minute

    retried = flaky.sent[sent_before_retry:]
    assert len(retried) == 1 and retried[0][1].image is not None  # only the chart, not the summary again
    with db.session() as s:
        deliveries = s.exec(select(DigestDelivery)).all()
    assert all(d.sent_at is not None for d in deliveries)


async def test_a_worker_whose_lease_ran_out_mid_delivery_stops_and_saves_nothing(router, db):
    """The summary takes six minutes to post (a five-minute lease): meanwhile another worker takes the
    delivery over and posts it. The first worker's progress is refused, so it posts nothing more."""
    subscribe_with_data(router)
    clock = Clock(at(11, 30, 10))
    other = RecordingMessenger()

    class StuckMessenger(RecordingMessenger):
        async def send(self, chat, reply):  # noqa: ANN001, ANN202
            clock.advance(minutes=6)
            await sweep_digests(db, {"console": other}, clock=clock, worker="other", pace=False)
            return await super().send(chat, reply)

    stuck = StuckMessenger()
    result = await sweep_digests(db, {"console": stuck}, clock=clock, worker="stuck", pace=False)

    assert (result.sent, result.failed) == (0, 0)
    assert len(stuck.sent) == 1 and len(other.sent) == 3  # only the summary the lease could not cover twice
    with db.session() as s:
        [delivery] = s.exec(select(DigestDelivery)).all()
    assert (delivery.claimed_by, delivery.progress) == ("other", 3) and delivery.sent_at is not None


async def test_after_downtime_the_latest_week_goes_out_once(router, db):
    subscribe_with_data(router)
    messenger = RecordingMessenger()
    result = await sweep(db, messenger, at(12, 16, 15))  # down over two digest days
    assert result.sent == 1
    assert "Weekly digest, 2026-12-07 – 2026-12-13" in text_of(messenger.sent[0][1])
    assert (await sweep(db, messenger, at(12, 16, 16))).sent == 0


async def test_two_sweepers_at_once_deliver_each_channel_once(any_router, any_db):
    subscribe_with_data(any_router)
    for n in range(4):
        chat = ChatRef(platform="console", chat_id=f"extra-{n}")
        say(any_router, '/log talk "T" @ Conf 2026-11-24 audience=5', chat=chat)
        say(any_router, "/digest here", chat=chat)
    a, b = RecordingMessenger(), RecordingMessenger()
    # Two workers on separate pooled connections, interleaving in threads: their claims race for real.
    results = await asyncio.gather(sweep(any_db, a, at(11, 30, 10), "proc-a"), sweep(any_db, b, at(11, 30, 10),
                                                                                      "proc-b"))
    assert sum(r.opened for r in results) == 5
    assert sum(r.sent for r in results) == 5
    summaries = [text_of(reply) for _t, reply in a.sent + b.sent if "Weekly digest" in reply.text]
    assert len(summaries) == 5


async def test_digest_here_and_off_are_for_admins_and_off_stops_it(router, db):
    from tests.helpers import BOB

    subscribe_with_data(router)
    refused = say(router, "/digest off", user=BOB)
    assert refused.is_error and "Only a team admin" in text_of(refused)
    assert "no longer get the digest" in text_of(say(router, "/digest off"))
    messenger = RecordingMessenger()
    assert (await sweep(db, messenger, at(11, 30, 10))).sent == 0
    assert "No chat gets it yet" in text_of(say(router, "/digest"))
