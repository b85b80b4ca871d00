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
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram._utils.types import JSONDict
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application
from telegram.request import HTTPXRequest

from bot.inbox import UNAVAILABLE, DurableInbox, StoredRow, stored_row
from storage import inbox
from storage.db import Database
from storage.faults import first_line

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
    JSON as Telegram sent it, so the inbox stores that instead of serialising each parsed ``Update`` again — which
    cost about as much as parsing it. PTB leaves the data it parses unaltered (``TelegramObject._parse_data``), and
    ``payloads`` checks the kept JSON is that of the updates ``get_updates`` returned."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{"connection_pool_size": 1, **kwargs})  # PTB's own getUpdates request: one connection
        self.fetched: list[JSONDict] = []

    def parse_json_payload(self, payload: bytes) -> JSONDict:  # type: ignore[override]
        """PTB's documented hook for parsing the Bot API's answer (only getUpdates answers come here)."""
        data = HTTPXRequest.parse_json_payload(payload)
        result = data.get("result")
        if data.get("ok") and isinstance(result, list):
            self.fetched = result
        return data

    def payloads(self, updates: Sequence[Update]) -> list[str] | None:
        """The JSON of the updates the last getUpdates returned; None when they are not these (then the caller
        serialises them itself)."""
        fetched, self.fetched = self.fetched, []
        if len(fetched) != len(updates) or any(
            raw.get("update_id") != update.update_id for raw, update in zip(fetched, updates, strict=True)
        ):
            return None
        return [json.dumps(raw) for raw in fetched]


class Intake:
    def __init__(self, db: Database, app: Application, *, delivery_prefix: Callable[[], str],
                 retry_delay: float = 1.0, max_retry_delay: float = 30.0,
                 tell_waiting: Callable[[Update], Awaitable[None]] | None = None,
                 kept: KeptUpdates | None = None) -> None:
        """``tell_waiting``: tells the sender of an update still waiting for the database that it is kept (once,
        a few seconds after its first try: ``DurableInbox``). ``kept``: the getUpdates request the application was
        built with, when it is one that keeps the JSON."""
        self.db = db
        self.app = app
        self.kept = kept
        self.delivery_prefix = delivery_prefix  # the bot's id: update ids are counted per bot
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self._tell_waiting = tell_waiting
        self.inbox = DurableInbox(db, PLATFORM, self._handle, retry_delay=retry_delay,
                                  max_retry_delay=max_retry_delay,
                                  tell_waiting=self._tell if tell_waiting is not None else None)
        self.workers = self.inbox.workers
        self._parsed: dict[str, Update] = {}  # updates fetched by this process, by delivery id: already parsed

    # --- in ------------------------------------------------------------------------------------------------

    async def accept(self, updates: Sequence[Update], payloads: Sequence[str] | None = None) -> None:
        """Store the updates (one transaction) and queue the new ones. Raises when the database cannot take
        them: the caller must then not acknowledge them. ``payloads``: each update's JSON as it came, when the
        caller has it (else it is serialised from the update)."""
        prefix = self.delivery_prefix()
        texts = payloads if payloads is not None else [u.to_json() for u in updates]
        deliveries = [
            inbox.Delivery(f"{prefix}:{u.update_id}", chat_key(u), text)
            for u, text in zip(updates, texts, strict=True)
        ]
        parsed = {delivery.delivery_id: update for delivery, update in zip(deliveries, updates, strict=True)}
        self._parsed.update(parsed)  # handled as fetched: not parsed again
        stored: list[inbox.Stored] = []
        try:
            stored = await self.inbox.accept(deliveries)
        finally:  # a redelivery, or nothing stored: no worker takes these
            for delivery_id in parsed.keys() - {item.delivery_id for item in stored}:
                self._parsed.pop(delivery_id, None)

    async def resume(self, *, held_or_not: bool = False) -> int:
        """Queue what a previous process stored but did not finish (``held_or_not``: also what another replica
        holds — ``DurableInbox.resume``). Returns how many."""
        return await self.inbox.resume(held_or_not=held_or_not)

    async def poll(self, *, timeout: float, allowed_updates: list[str]) -> None:
        """Long polling that confirms an offset only after the updates before it are stored. Network errors
        are retried with backoff; a rejected token raises."""
        bot = self.app.bot
        webhook_deleted = False  # a webhook left set would make getUpdates fail; retried like a poll
        offset: int | None = None
        delay = self.retry_delay
        while True:
            try:
                if not webhook_deleted:
                    webhook_deleted = bool(await bot.delete_webhook())
                updates = await bot.get_updates(offset=offset, timeout=timedelta(seconds=timeout),
                                                allowed_updates=allowed_updates)
            except InvalidToken:
                raise
            except TelegramError as error:
                log.warning("Telegram polling error (retrying in %.0f s): %s: %s", delay, type(error).__name__,
                            error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_retry_delay)
                continue
            if not updates:
                delay = self.retry_delay
                continue
            try:
                await self.accept(updates, self.kept.payloads(updates) if self.kept is not None else None)
            except UNAVAILABLE as error:
                log.warning("database unavailable, %d Telegram updates left with Telegram (retrying in %.0f s): %s",
                            len(updates), delay, first_line(error))
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_retry_delay)
                continue
            delay = self.retry_delay
            offset = updates[-1].update_id + 1  # confirmed by the next getUpdates: they are stored

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
