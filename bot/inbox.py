"""The inbox, one for every door: what a platform delivers is applied once, and nothing it was told arrived
is lost.

Platforms deliver at least once: Slack retries an event it thinks we missed (same ``event_id``), Telegram
sends an update again after a restart before its offset was confirmed or on a webhook retry (same
``update_id``), and a replayed Slack request carries the same ``trigger_id``. Two ways in:

- :class:`Inbox` applies a delivery at once, with its id recorded in the same transaction
  (:mod:`storage.events`), before the platform is answered (a Slack reaction);
- :class:`DurableInbox` stores the delivery (:mod:`storage.inbox`, deduplicated on its id) before the platform
  is answered, and one worker per chat handles the stored rows in order — also the ones a killed process
  left behind (Telegram updates; Slack slash commands, clicks and forms).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
import os
import socket
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session

from bot.correlation import correlated
from handlers import reply_json
from handlers.core import Platform, Reply
from handlers.i18n import _
from handlers.router import Keep, PlatformEvent, Router, event_names
from storage import inbox
from storage.db import Database
from storage.events import mark_processed
from storage.faults import first_line
from storage.writer import Writer, writer_for

log = logging.getLogger(f"devrelbot.{__name__}")

UNAVAILABLE = (OperationalError, PoolTimeout)  # the database locked past its busy timeout, or unreachable
# Replicas: how often each looks for deliveries another one stored (acknowledged) and never finished, and how long
# a replica's lease on the rows it handles lasts — the same five minutes a claimed reminder waits before another
# replica takes it. Each look renews the holder's lease on what it still works on (a chat waiting out a flood
# limit), so a row is taken over only from a replica that died. One rule for every door's inbox, at the start and
# every minute after (``DurableInbox.running``).
ADOPT_EVERY = 60.0
ADOPT_AFTER = 300.0

# A command that finds the database away is kept and tried again (``DurableInbox``); if it is still waiting this
# long after its first try, its sender is told once (a retry that succeeds within it says nothing).
NOTICE_AFTER = 3.0


_configured_name: str | None = None


def name_replica(name: str | None) -> None:
    """The replica's name from the settings (``DEVRELBOT_REPLICA`` in the environment or ``.env``), set once at
    start-up by the composition root; the environment variable alone still works for processes started without it."""
    global _configured_name
    _configured_name = name


def replica_name() -> str:
    """Who holds the rows this process handles (``inbox_item.claimed_by``): ``DEVRELBOT_REPLICA``, else the host's
    name. Stable across a restart, so a replica started again takes its own rows at once (its previous process is
    gone) instead of waiting out their lease; distinct per replica (docs/deploy.md), so no replica takes rows
    another one that lives holds. (Not ``bot.leader.replica_id``, which names the process: a new one each start.)"""
    return (_configured_name or os.environ.get("DEVRELBOT_REPLICA") or socket.gethostname() or "devrelbot")[:64]


def waiting_notice() -> str:
    """What a person hears, once, while their stored command waits for the database: every door says the same."""
    return _("⏳ The ledger is unavailable right now — your command is kept and will be applied when it is back.")


@dataclass
class StoredRow:
    """The durable inbox row whose delivery is being handled (set by the Telegram intake around its handling):
    applying the delivery's events also marks the row done, in the same transaction; a command applied from it
    keeps its replies with it (:func:`keeper`). ``answer``: the replies kept when it was applied before — the
    process died before they were sent, so they are sent instead of running the command again."""

    item_id: int
    done: bool = False
    answer: str | None = None


def keeper(item_id: int) -> Keep:
    """What the router calls in the transaction that applies a command from inbox row ``item_id``: the replies
    are kept with the row, which stays pending until they were sent. A crash between the commit and the send
    leaves a row with an answer, sent by the next worker to take the row (:func:`kept_replies`)."""

    def keep(session: Session | Connection, replies: list[Reply]) -> None:
        inbox.keep_answer(session, item_id=item_id, answer=reply_json.dumps(replies))

    return keep


def kept_replies(answer: str, delivery_id: str) -> list[Reply]:
    """The replies kept for a command applied before the last stop and maybe not sent: sent now. If that
    process had sent them just before it died (after the platform took them, before the row was marked done),
    they go out a second time — the one window left (README, "What is acknowledged is stored, once")."""
    log.info("answering %s, applied before the last stop", delivery_id)
    return reply_json.loads(answer)


stored_row: contextvars.ContextVar[StoredRow | None] = contextvars.ContextVar("stored_row", default=None)


class Inbox:
    def __init__(self, router: Router, platform: Platform) -> None:
        self.router = router
        self.platform = platform

    @property
    def writer(self) -> Writer:
        """The database's one group-commit writer: an event's await ends when its batch has committed."""
        return writer_for(self.router.db)

    async def first_time(self, delivery_id: str | None, *, within: float | None = None) -> bool:
        """Record the delivery; True the first time (or when it has no id), False for a repeat.

        When the database is locked or away (or does not take the mark ``within`` seconds) the delivery is let
        through: the command then gets the router's "try again in a moment" instead of being dropped unanswered."""
        if not delivery_id:
            return True

        def mark() -> bool:
            with self.router.db.session() as session:
                return mark_processed(session, platform=self.platform, event_id=delivery_id)

        try:
            # Let through when late, too: the mark may still commit after, and the delivery was handled anyway.
            first = await asyncio.wait_for(asyncio.to_thread(mark), within)
        except (DBAPIError, TimeoutError) as error:
            log.warning("could not check %s delivery %s for a repeat: %s", self.platform, delivery_id,
                        type(error).__name__)
            return True
        if not first:
            log.debug("%s delivery %s already handled", self.platform, delivery_id)
        return first

    async def apply(self, events: Sequence[PlatformEvent], delivery_id: str | None, *,
                    within: float | None = None) -> list[Reply]:
        """Apply platform events (reactions, say) with their delivery id recorded in the same transaction:
        a repeat changes nothing, and a delivery that failed is not marked as handled. A locked or unreachable
        database raises (``OperationalError``; ``WriteTimeout`` when it does not take them ``within`` seconds):
        the door must not acknowledge the delivery then."""
        if not self.router.handles(events):
            return []
        once = (self.platform, delivery_id) if delivery_id else None
        row = stored_row.get()

        def apply(session: Session) -> list[Reply]:
            replies = self.router.apply_events(session, events, once=once)
            if row is not None:  # the stored delivery is done in the same commit: one transaction, not two
                inbox.mark_done(session, item_ids=[row.item_id])
            return replies

        try:
            replies = await self.writer.submit(apply, within=within)
        except UNAVAILABLE:
            self.router.observe_event(once, "unavailable")
            raise
        except Exception:  # this delivery alone failed (its neighbours in the batch were stored without it)
            self.router.observe_event(once, "failure")
            log.exception("handling %s failed", event_names(events))
            return []
        if row is not None:
            row.done = True
        return replies


class ChatWorkers:
    """One task per chat with work waiting; it ends when its queue is empty."""

    def __init__(self, handle: Callable[[inbox.Stored], Awaitable[None]]) -> None:
        self._handle = handle
        self._queues: dict[str, deque[inbox.Stored]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._queued: set[int] = set()  # inbox ids queued or being handled here: a resume skips them

    def submit(self, item: inbox.Stored) -> bool:
        """Queue the row; False when it is queued here already."""
        if item.item_id in self._queued:
            return False
        self._queued.add(item.item_id)
        self._queues.setdefault(item.chat_key, deque()).append(item)
        if item.chat_key not in self._tasks:
            self._tasks[item.chat_key] = asyncio.create_task(self._drain(item.chat_key), name=f"chat:{item.chat_key}")
        return True

    def waiting(self, key: str) -> bool:
        return key in self._queues

    @property
    def busy(self) -> int:
        return sum(len(queue) for queue in self._queues.values())

    async def _drain(self, key: str) -> None:
        queue = self._queues[key]
        try:
            while queue:
                await self._handle(queue[0])
                self._queued.discard(queue.popleft().item_id)
        finally:
            # No await between the empty check and here: a submit cannot slip in unseen.
            del self._tasks[key]
            if not queue:
                del self._queues[key]

    async def join(self) -> None:
        while self._tasks:
            await asyncio.wait(list(self._tasks.values()))

    async def stop(self, *, grace: float) -> None:
        """Let the workers finish for ``grace`` seconds, then cancel: what they did not mark done stays in the
        inbox for the next start."""
        tasks = list(self._tasks.values())
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=grace)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)


class DurableInbox:
    """A door's deliveries stored before they are acknowledged (``storage.inbox``), then handled by one worker
    per chat, in order, and marked done. What a killed process left undone is handled at the next start
    (:meth:`resume`). A handling that finds the database away (``UNAVAILABLE``) keeps its delivery and tries it
    again with backoff, so a command or event that was acknowledged is never dropped for that."""

    def __init__(self, db: Database, platform: str, handle: Callable[[inbox.Stored], Awaitable[bool]], *,
                 retry_delay: float = 1.0, max_retry_delay: float = 30.0,
                 tell_waiting: Callable[[inbox.Stored], Awaitable[None]] | None = None,
                 notice_after: float = NOTICE_AFTER, owner: str | None = None,
                 lease: float = ADOPT_AFTER) -> None:
        """``handle`` returns True when it marked the row done itself (in the transaction that applied it).
        ``tell_waiting``: the door tells the sender of a delivery still waiting for the database ``notice_after``
        seconds after its first try that it is kept (:func:`waiting_notice`; the door decides who, if anyone).
        ``owner``: the name this replica holds its rows under (:func:`replica_name`), for ``lease`` seconds at a
        time, renewed while it works on them."""
        self.db = db
        self.owner = owner if owner is not None else replica_name()
        self.lease = lease
        self.platform = platform
        self._handle = handle
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.tell_waiting = tell_waiting
        self.notice_after = notice_after
        self.workers = ChatWorkers(self._work)

    async def accept(self, deliveries: Sequence[inbox.Delivery], *, within: float | None = None,
                     applying: Callable[[Session, list[inbox.Stored]], None] | None = None) -> list[inbox.Stored]:
        """Store the deliveries (one transaction) and queue the new ones; a redelivery (an id stored before)
        is left out. Raises ``UNAVAILABLE`` when the database cannot take them (``within`` seconds: a platform
        that wants its answer in time): the caller must then not acknowledge them. ``applying``: applies the new
        deliveries marked ``done`` in the same transaction (they are stored handled, and not queued); what it
        raises, the whole transaction does — nothing of it is stored."""
        store = functools.partial(inbox.store, platform=self.platform, deliveries=deliveries, owner=self.owner,
                                  lease=timedelta(seconds=self.lease))

        def store_and_apply(session: Session) -> list[inbox.Stored]:
            stored = store(session)
            if applying is not None:
                applying(session, [item for item in stored if item.done])
            return stored

        # Through the one writer (``storage.writer``): stored with other doors' work, in one commit.
        stored = await writer_for(self.db).submit(store_and_apply, within=within)
        # Held by this replica from the INSERT on: the storer handles its fresh rows, no claim needed.
        for item in stored:
            if not item.done:
                self.workers.submit(item)
        return stored

    def waiting(self, key: str) -> bool:
        """Whether deliveries of queue ``key`` are queued or being handled here (a later one must wait for them)."""
        return self.workers.waiting(key)

    async def resume(self, *, held_or_not: bool = False) -> int:
        """Claim and queue the pending rows no other replica holds (:func:`storage.inbox.claim`): at the start,
        what this replica's previous process left; later (:meth:`adopt`), also what a replica that died left once
        its lease ran out, and the rows this replica holds (their lease renewed; those queued here already are
        not queued again). A row a live replica holds — it renews its lease the same way — is left to it, so a
        kept answer is not sent twice. ``held_or_not``: the rows others hold too — for a caller that knows their
        holders are gone (:func:`storage.inbox.claim`). Returns how many were not queued here already."""
        lease = timedelta(seconds=self.lease)

        def claim(after: int, session: Session) -> list[inbox.Stored]:
            return inbox.claim(session, platform=self.platform, owner=self.owner, lease=lease, after_id=after,
                               held_or_not=held_or_not)

        count, after = 0, 0
        # Through the one writer: a claim is a write (SQLite has one writer), made when the batch runs.
        while batch := await writer_for(self.db).submit(functools.partial(claim, after)):
            count += sum(self.workers.submit(item) for item in batch)
            after = batch[-1].item_id
        if count:
            log.info("%s: handling %d deliveries left unfinished (this replica's last stop, or a replica whose "
                     "lease ran out)", self.platform, count)
        return count

    @contextlib.asynccontextmanager
    async def running(self, *, grace: float, adopt_every: float = ADOPT_EVERY,
                      adopt_after: float = ADOPT_AFTER) -> AsyncIterator[None]:
        """The inbox while its door serves, the same for every door: first what a process stopped before left
        (:meth:`resume`), then, every ``adopt_every`` seconds, what a replica that died left when its lease
        (``adopt_after`` seconds, this replica's own lease too) ran out (:meth:`adopt`) — the same claim renews
        the lease of what this replica holds. On the way out the workers get ``grace`` seconds; what they do not
        finish stays for the next start of this replica, or for another once the lease ran out."""
        self.lease = adopt_after
        await self.resume()
        # Each look also renews what this replica holds: three or more times a lease, so one or two looks that
        # find the database away do not let a lease run out while its holder lives.
        adopting = asyncio.create_task(self.adopt(every=min(adopt_every, adopt_after / 3)),
                                       name=f"{self.platform}-adopt")
        try:
            yield
        finally:
            adopting.cancel()
            await asyncio.wait({adopting})
            await self.workers.stop(grace=grace)

    async def adopt(self, *, every: float) -> None:
        """Now and then, take over rows nobody holds any more — a replica that died after acknowledging them left
        them pending, and its lease ran out — and renew the lease of the rows this replica holds, however long
        their chat waits (a flood limit): the claim takes those too (one statement for all)."""
        while True:
            await asyncio.sleep(every)
            try:
                await self.resume()
            except UNAVAILABLE as error:
                log.warning("%s: cannot look for unfinished deliveries: %s", self.platform, first_line(error))

    async def _work(self, item: inbox.Stored) -> None:
        # Every line logged for it carries the platform's id: "trigger:Tx…" → the trigger_id, "bot:42" → 42.
        with correlated(item.delivery_id.rsplit(":", 1)[-1]):
            await self._work_on(item)

    async def _work_on(self, item: inbox.Stored) -> None:
        delay = self.retry_delay
        marked = False
        notice: asyncio.Task[None] | None = None  # set at the first fault: tells the sender once, if still waiting
        try:
            while True:
                try:
                    marked = await self._handle(item)
                    break
                except UNAVAILABLE as error:
                    log.warning("%s: database unavailable while handling delivery %s; retrying in %.0f s: %s",
                                self.platform, item.delivery_id, delay, first_line(error))
                except Exception:  # a bug, not a fault that passes: logged, and the delivery is not tried forever
                    log.exception("%s: handling delivery %s failed", self.platform, item.delivery_id)
                    break
                if notice is None and self.tell_waiting is not None:
                    notice = asyncio.create_task(self._tell_later(item), name=f"notice:{item.delivery_id}")
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_retry_delay)
        finally:
            if notice is not None and not notice.done():
                notice.cancel()  # handled (or stopping) before the notice was due: nothing to tell
        if marked:
            return
        try:  # in the writer's next batch, with other deliveries' marks: one commit for many
            await writer_for(self.db).submit(functools.partial(inbox.mark_done, item_ids=[item.item_id]))
        except UNAVAILABLE:
            pass  # handled but not marked: handled again later, and deduplicated where it commits

    async def _tell_later(self, item: inbox.Stored) -> None:
        await asyncio.sleep(self.notice_after)
        assert self.tell_waiting is not None
        try:
            await self.tell_waiting(item)
        except Exception as error:  # a notice that cannot go out must not disturb the retries
            log.warning("%s: could not tell the sender of %s that it waits: %s: %s", self.platform,
                        item.delivery_id, type(error).__name__, error)
