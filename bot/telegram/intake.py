"""Telegram updates in through the durable inbox: acknowledged only once stored, then handled chat by chat.

PTB's ``Updater`` confirms a batch's offset with its next ``getUpdates``, which it sends as soon as the batch is
in the application's queue — before anything was handled, so a crash loses the batch. Here the door runs its
own fetch loop: a batch is committed to the inbox (``storage.inbox``, one transaction, deduplicated on the
update id) before the next ``getUpdates`` confirms it; when the database cannot take it, the offset stays and
Telegram sends the batch again. The webhook answers 200 only after the same commit.

Stored updates go to one worker per chat (a poll answer, which has no chat, per voter): one chat's updates are
handled in order, chats never wait for each other, and a chat waiting out a flood limit waits alone. A worker
marks an update done after ``Application.process_update``; what a killed process left undone is handled at the
next start. An update whose handling found the database away stays where it is and is tried again, in order.

A vote (a reaction, a poll answer: nearly every update a busy card brings) is converted from its JSON and applied
in the transaction that stores it, its row stored done (``Intake.accept``): it never waits in a queue or parses
into PTB's objects, and the batch's commit still comes before its offset is confirmed. A vote whose queue has work
waiting is queued behind it instead, so one voter's updates still take effect in order.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any, Protocol

from sqlmodel import Session
from telegram import Update
from telegram._utils.types import JSONDict
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application
from telegram.request import HTTPXRequest

from bot.inbox import UNAVAILABLE, DurableInbox, StoredRow, stored_row
from bot.telegram import convert
from handlers.core import Reply
from handlers.router import PlatformEvent
from storage import inbox
from storage.db import Database
from storage.faults import classify, first_line

log = logging.getLogger(f"devrelbot.{__name__}")

PLATFORM = "telegram"

# Set by the intake around ``process_update``; the door's error handler records a database fault in it (PTB
# hands handler errors to error handlers instead of raising them).
handling_faults: contextvars.ContextVar[list[BaseException] | None] = contextvars.ContextVar(
    "handling_faults", default=None
)


def note_fault(error: BaseException) -> bool:
    """Called by the error handler: True when ``error`` means "database away" and the update will be retried."""
    faults = handling_faults.get()
    if faults is None or not isinstance(error, UNAVAILABLE):
        return False
    faults.append(error)
    return True


def chat_key(update: Update) -> str:
    """What must stay in order: a chat's updates; a poll answer (no chat) is ordered per voter, and so is a
    reaction — one person's votes in order, everyone's at once (votes of different people are independent),
    so a busy card is not handled one reaction at a time."""
    reaction = update.message_reaction
    if reaction is not None:
        voter = reaction.user.id if reaction.user is not None else reaction.actor_chat.id if reaction.actor_chat else 0
        return f"c{reaction.chat.id}:u{voter}"
    if update.effective_chat is not None:
        return f"c{update.effective_chat.id}"
    if update.effective_user is not None:
        return f"u{update.effective_user.id}"
    return "-"


class KeptUpdates(HTTPXRequest):
    """The request ``getUpdates`` goes through (``ApplicationBuilder.get_updates_request``): it keeps the updates'
    JSON as Telegram sent it and hands python-telegram-bot an empty list (``parse_json_payload``, PTB's documented
    hook for parsing the Bot API's answer; only getUpdates answers come here). The intake takes the batch
    (:meth:`take`) and parses only what needs PTB's objects: a vote is converted from its JSON
    (``convert.vote_events``), and the inbox stores the JSON as it came instead of serialising a parsed ``Update``
    again."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{"connection_pool_size": 1, **kwargs})  # PTB's own getUpdates request: one connection
        self.fetched: list[JSONDict] = []

    def parse_json_payload(self, payload: bytes) -> JSONDict:  # type: ignore[override]
        data = HTTPXRequest.parse_json_payload(payload)
        result = data.get("result")
        if data.get("ok") and isinstance(result, list):
            self.fetched = result
            data = {**data, "result": []}
        return data

    def take(self) -> list[JSONDict]:
        """The updates the last getUpdates returned, as JSON (once)."""
        fetched, self.fetched = self.fetched, []
        return fetched


class Votes(Protocol):
    """How the door applies a vote (a reaction, a poll answer) in the transaction that stores it."""

    def apply_votes(self, session: Session, events: Sequence[PlatformEvent], delivery_id: str) -> list[Reply]:
        """Apply the events (raising what a handler raised: the caller rolls back)."""

    async def answer_votes(self, events: Sequence[PlatformEvent], replies: list[Reply]) -> None:
        """Send what applying them answered, once committed."""


class Intake:
    def __init__(self, db: Database, app: Application, *, delivery_prefix: Callable[[], str],
                 retry_delay: float = 1.0, max_retry_delay: float = 30.0,
                 tell_waiting: Callable[[Update], Awaitable[None]] | None = None,
                 kept: KeptUpdates | None = None, votes: Votes | None = None) -> None:
        """``tell_waiting``: tells the sender of an update still waiting for the database that it is kept (once,
        a few seconds after its first try: ``DurableInbox``). ``kept``: the getUpdates request the application was
        built with (polling needs it). ``votes``: applies a vote as it is stored (else it is queued like any
        update)."""
        self.db = db
        self.app = app
        self.kept = kept
        self.votes = votes
        self.delivery_prefix = delivery_prefix  # the bot's id: update ids are counted per bot
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self._tell_waiting = tell_waiting
        self.inbox = DurableInbox(db, PLATFORM, self._handle, retry_delay=retry_delay,
                                  max_retry_delay=max_retry_delay,
                                  tell_waiting=self._tell if tell_waiting is not None else None)
        self.workers = self.inbox.workers
        self._parsed: dict[str, Update] = {}  # updates fetched by this process, by delivery id: already parsed
        self._answering: set[asyncio.Task[None]] = set()

    # --- in ------------------------------------------------------------------------------------------------

    async def accept(self, updates: Sequence[JSONDict], payloads: Sequence[str],
                     parsed: Sequence[Update | None] | None = None) -> None:
        """Store the updates (one transaction) and queue the new ones. Raises when the database cannot take
        them: the caller must then not acknowledge them. ``updates``: each update's JSON, ``payloads`` the same
        as it came (stored as it is); ``parsed``: the updates as python-telegram-bot parsed them, where the caller
        did.

        A vote is applied in the same transaction (its inbox row stored handled): the bot's highest-rate update
        then costs one commit shared with its batch, not a queue, a task and a second transaction. Its order is
        kept all the same: one voter's updates are applied in update order, and a vote whose queue has work
        waiting (a retry, what the last stop left, an earlier update of this batch that is queued) is queued
        behind it. The inbox row, unique per update id, is what keeps a redelivered vote from being applied
        twice."""
        prefix = self.delivery_prefix()
        deliveries: list[inbox.Delivery] = []
        votes: dict[str, Sequence[PlatformEvent]] = {}
        fetched: dict[str, Update] = {}
        queued: set[str] = set()  # queues an update of this batch goes to: a later vote of theirs waits too
        for n, (data, text) in enumerate(zip(updates, payloads, strict=True)):
            delivery_id = f"{prefix}:{data['update_id']}"
            vote = self._vote(data)
            if vote is not None and vote[1] not in queued and not self.inbox.waiting(vote[1]):
                votes[delivery_id] = vote[0]
                deliveries.append(inbox.Delivery(delivery_id, vote[1], text, done=True))
                continue
            update = (parsed[n] if parsed is not None else None) or Update.de_json(data, self.app.bot)
            fetched[delivery_id] = update
            key = chat_key(update)
            queued.add(key)
            deliveries.append(inbox.Delivery(delivery_id, key, text))
        self._parsed.update(fetched)  # handled as fetched: not parsed again
        stored: list[inbox.Stored] = []
        try:
            stored = await self._store(deliveries, votes)
        finally:  # a redelivery, or nothing stored: no worker takes these
            for delivery_id in fetched.keys() - {item.delivery_id for item in stored}:
                self._parsed.pop(delivery_id, None)

    async def _store(self, deliveries: list[inbox.Delivery], votes: dict[str, Sequence[PlatformEvent]]
                     ) -> list[inbox.Stored]:
        if not votes:
            return await self.inbox.accept(deliveries)
        assert self.votes is not None
        applier = self.votes
        applied: list[tuple[Sequence[PlatformEvent], list[Reply]]] = []

        def apply(session: Session, new: list[inbox.Stored]) -> None:
            applied.clear()  # a batch replayed by the writer runs this again
            for item in new:
                events = votes[item.delivery_id]
                applied.append((events, applier.apply_votes(session, events, item.delivery_id)))

        try:
            stored = await self.inbox.accept(deliveries, applying=apply)
        except Exception as error:
            if classify(error) is not None:
                raise  # the database is away: nothing stored, the batch stays with Telegram
            # A vote's handler failed (the transaction stored nothing): store the batch to be handled one update
            # at a time, as any update — the failing one is logged there, and the others are applied.
            log.debug("applying a batch of Telegram votes failed (%s); queueing them", type(error).__name__)
            return await self.inbox.accept([inbox.Delivery(d.delivery_id, d.chat_key, d.payload) for d in deliveries])
        for events, replies in applied:
            if replies:
                task = asyncio.create_task(applier.answer_votes(events, replies), name="telegram-vote-answer")
                self._answering.add(task)
                task.add_done_callback(self._answering.discard)
        return stored

    def _vote(self, data: JSONDict) -> tuple[Sequence[PlatformEvent], str] | None:
        """The vote's events and queue, when the door applies votes as they are stored; else None."""
        if self.votes is None:
            return None
        try:
            return convert.vote_events(data)
        except (KeyError, TypeError, ValueError, AttributeError):  # not as documented: parsed by PTB, or refused
            return None

    async def resume(self, *, held_or_not: bool = False) -> int:
        """Queue what a previous process stored but did not finish (``held_or_not``: also what another replica
        holds — ``DurableInbox.resume``). Returns how many."""
        return await self.inbox.resume(held_or_not=held_or_not)

    async def poll(self, *, timeout: float, allowed_updates: list[str]) -> None:
        """Long polling that confirms an offset only after the updates before it are stored. Network errors
        are retried with backoff; a rejected token raises."""
        bot, kept = self.app.bot, self.kept
        if kept is None:
            raise RuntimeError("polling needs the application's getUpdates request to be KeptUpdates")
        webhook_deleted = False  # a webhook left set would make getUpdates fail; retried like a poll
        offset: int | None = None
        delay = self.retry_delay
        while True:
            try:
                if not webhook_deleted:
                    webhook_deleted = bool(await bot.delete_webhook())
                # PTB sends the request, maps the Bot API's errors and hands back an empty list: the batch is
                # taken as JSON from the request that fetched it (KeptUpdates).
                await bot.get_updates(offset=offset, timeout=timedelta(seconds=timeout),
                                      allowed_updates=allowed_updates)
                raws = kept.take()
            except InvalidToken:
                raise
            except TelegramError as error:
                log.warning("Telegram polling error (retrying in %.0f s): %s: %s", delay, type(error).__name__,
                            error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_retry_delay)
                continue
            if not raws:
                delay = self.retry_delay
                continue
            try:
                await self.accept(raws, [json.dumps(data) for data in raws])
            except UNAVAILABLE as error:
                log.warning("database unavailable, %d Telegram updates left with Telegram (retrying in %.0f s): %s",
                            len(raws), delay, first_line(error))
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_retry_delay)
                continue
            delay = self.retry_delay
            offset = raws[-1]["update_id"] + 1  # confirmed by the next getUpdates: they are stored

    # --- handling ------------------------------------------------------------------------------------------

    async def _tell(self, item: inbox.Stored) -> None:
        assert self._tell_waiting is not None
        update = self._parsed.get(item.delivery_id) or Update.de_json(json.loads(item.payload), self.app.bot)
        await self._tell_waiting(update)

    async def _handle(self, item: inbox.Stored) -> bool:
        """Handle one stored update; True when its vote marked the row done in its own transaction. PTB hands
        a handler's error to the error handlers instead of raising it: a database fault they noted is raised
        here, so the inbox keeps the update and tries it again."""
        update = self._parsed.pop(item.delivery_id, None) or Update.de_json(json.loads(item.payload), self.app.bot)
        faults: list[BaseException] = []
        token = handling_faults.set(faults)
        # A vote marks the row done in its own transaction; a command keeps its replies with it, and a row that
        # has them already (applied before the last stop) is answered with them instead of run again.
        row = StoredRow(item.item_id, answer=item.answer)
        row_token = stored_row.set(row)
        try:
            await self.app.process_update(update)
        finally:
            stored_row.reset(row_token)
            handling_faults.reset(token)
        if faults:
            self._parsed[item.delivery_id] = update  # tried again: as parsed
            raise faults[0]
        return row.done
