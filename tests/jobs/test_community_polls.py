"""Community polls close themselves on time: one sweep claims a due poll, stops every posted copy (keeping an
anonymous native poll's final totals), and posts the merged result where the poll was asked — once, also after a
failed post, and with two processes sweeping one database."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel import select

from handlers.core import ChatRef, PollAnswer, PollResults, PollSpec, Reply, SentMessage
from handlers.markup import to_plain
from jobs.community_polls import sweep_community_polls
from storage.models import CommunityPoll
from tests.conftest import postgres_db
from tests.handlers.feedback_support import GROUP, person, posted
from tests.handlers.test_ask import QUESTION, link_community
from tests.helpers import incoming, lines_of_two_processes, say, text_of
from tests.jobs.sweep_worker import run_poll_worker


@dataclass
class PollMessenger:
    """Records what a door would do: the polls it stops (with the final totals it reports) and what it posts."""

    platform: str
    final: dict[str, tuple[int, ...]] = field(default_factory=dict)  # by native poll id
    stopped: list[str] = field(default_factory=list)
    posted: list[tuple[ChatRef, str]] = field(default_factory=list)
    fail_posts: int = 0

    async def send(self, chat: ChatRef, reply: Reply) -> SentMessage:
        if self.fail_posts:
            self.fail_posts -= 1
            raise ConnectionError("platform unreachable")
        self.posted.append((chat, to_plain(reply.text)))
        return SentMessage(chat=chat, message_id=str(len(self.posted)))

    async def send_poll(self, chat: ChatRef, poll: PollSpec) -> SentMessage:
        raise NotImplementedError

    async def send_in_thread(self, chat: ChatRef, parent_id: str, reply: Reply) -> SentMessage:
        raise NotImplementedError

    async def send_direct(self, target, reply: Reply) -> SentMessage:  # noqa: ANN001
        raise NotImplementedError

    async def stop_poll(self, message: SentMessage) -> PollResults | None:
        self.stopped.append(message.message_id)
        counts = self.final.get(message.poll_id or "")
        return None if counts is None else PollResults(poll_id=message.poll_id or "", voter_counts=counts,
                                                       is_closed=True, voters=sum(counts))


async def sweep(db, messengers: dict, clock, worker: str = "w1"):
    return await sweep_community_polls(db, messengers, clock=clock, worker=worker)


async def test_a_due_poll_is_closed_its_copies_stopped_and_its_result_posted_where_asked_once(router, db, clock):
    link_community(router, GROUP)
    poll, _note = router.dispatch(incoming(QUESTION + " everywhere closes 2d"))  # anonymous
    posted(router, poll, chat=GROUP, message_id="10", poll_id="p-1")
    router.handle_event(PollResults(poll_id="p-1", voter_counts=(1, 0, 0), is_closed=False, voters=1))
    telegram = PollMessenger("telegram", final={"p-1": (3, 1, 0)})  # two more came in before the stop
    console = PollMessenger("console")
    doors = {"telegram": telegram, "console": console}

    clock.advance(days=2, seconds=-1)
    assert (await sweep(db, doors, clock)).sent == 0 and telegram.stopped == []
    clock.advance(seconds=1)
    assert (await sweep(db, doors, clock)).sent == 1
    assert telegram.stopped == ["10"]
    ((chat, text),) = console.posted
    assert chat.chat_id == "team-chat" and text.splitlines() == [
        "📊 Poll #1 is closed: What should the next meetup be about?",
        "• Kubernetes — 3 (75%)",
        "• Rust — 1 (25%)",
        "• Postgres — 0 (0%)",
        "4 people answered · in 1 chat",
    ]
    clock.advance(days=1)
    assert (await sweep(db, doors, clock)).sent == 0 and len(console.posted) == 1
    router.handle_event(PollResults(poll_id="p-1", voter_counts=(9, 9, 9), is_closed=False, voters=9))  # too late
    assert "Kubernetes — 3 (75%)" in text_of(say(router, "/ask results 1"))


async def test_a_failed_result_post_is_retried_without_stopping_the_copies_again(router, db, clock):
    link_community(router, GROUP)
    poll, _note = router.dispatch(incoming(QUESTION + " public everywhere closes 1h"))
    posted(router, poll, chat=GROUP, message_id="10", poll_id="p-1")
    router.handle_event(PollAnswer(poll_id="p-1", user=person("carol", platform="telegram"), option_ids=(2,)))
    telegram, console = PollMessenger("telegram"), PollMessenger("console", fail_posts=1)
    doors = {"telegram": telegram, "console": console}

    clock.advance(hours=1)
    assert (await sweep(db, doors, clock)).failed == 1 and telegram.stopped == ["10"] and console.posted == []
    assert "closing right now" not in text_of(say(router, "/ask close 1"))  # released: /ask close may finish it
    clock.advance(minutes=1)
    assert (await sweep(db, doors, clock)).sent == 0  # /ask close took it over


async def test_after_a_failed_post_the_sweep_retries_and_posts_once(router, db, clock):
    poll, _note = router.dispatch(incoming(QUESTION + " closes 1h"))
    posted(router, poll, message_id="m-1")
    console = PollMessenger("console", fail_posts=1)
    clock.advance(hours=1)
    assert (await sweep(db, {"console": console}, clock)).failed == 1
    clock.advance(minutes=1)  # the first retry comes a minute later
    assert (await sweep(db, {"console": console}, clock)).sent == 1
    assert console.stopped == ["m-1"] and len(console.posted) == 1  # stopped once, posted once


async def test_ask_close_while_a_sweep_holds_the_poll_leaves_it_to_the_sweep(router, db, clock):
    poll, _note = router.dispatch(incoming(QUESTION + " closes 1h"))
    posted(router, poll, message_id="m-1")
    clock.advance(hours=1)
    with db.session() as s:
        from storage.outbox import claim

        assert claim(s, CommunityPoll, now=clock.now, worker="other") == [1]
    reply = say(router, "/ask close 1")
    assert "being closed right now" in text_of(reply) and not reply.stop_polls


# --- two processes ---------------------------------------------------------------------------------

POLLS = 40


def fill(router, clock) -> None:
    for i in range(POLLS):
        poll, _note = router.dispatch(incoming(f'/ask "Question {i}?" Yes | No closes 1h'))
        posted(router, poll, message_id=f"m-{i}")
    clock.advance(hours=2)


def close_in_two_processes(url: str, schema: str | None, tmp_path, now) -> list[str]:
    both = lines_of_two_processes(run_poll_worker, url, schema, tmp_path, now.isoformat())
    return [line for lines in both for line in lines]


def assert_each_closed_once(db, lines: list[str]) -> None:
    counts = Counter(lines)
    assert [line for line, n in counts.items() if n > 1] == []
    results = [line for line in counts if "is closed" in line]
    stops = [line for line in counts if line.startswith("stop ")]
    assert len(results) == POLLS and len(stops) == POLLS
    with db.session() as s:
        assert all(p.sent_at is not None and p.closed_at is not None for p in s.exec(select(CommunityPoll)))


def test_two_processes_on_one_sqlite_file_close_each_poll_once(router, db, clock, tmp_path):
    fill(router, clock)
    lines = close_in_two_processes(db.engine.url.render_as_string(hide_password=False), None, tmp_path, clock.now)
    assert_each_closed_once(db, lines)


def test_two_processes_on_postgresql_close_each_poll_once(postgres_schema_url, clock, tmp_path):
    from handlers.router import Router

    url, schema = postgres_schema_url
    db = postgres_db(url, schema)
    db.upgrade()
    fill(Router(db, default_timezone="UTC", clock=clock), clock)
    assert_each_closed_once(db, close_in_two_processes(url, schema, tmp_path, clock.now))
    db.dispose()


def test_the_close_moment_is_the_asked_duration(router, db, clock):
    router.dispatch(incoming(QUESTION + " closes 30m"))
    with db.session() as s:
        assert s.exec(select(CommunityPoll)).one().next_attempt_at == clock.now + timedelta(minutes=30)
