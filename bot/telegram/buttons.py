"""What a Telegram inline button carries: its command, or a token for a command too long for it.

Callback data is at most 64 bytes. Short commands — nearly all — travel inside the button (``c:/plan done 7``),
so they work on any replica and after any restart with no state at all. A longer one is stored in the database
(``storage.buttons``) under a token derived from it, and the button carries ``s:TOKEN``: whichever replica gets
the press, and a process started since, finds it there. It works for ``BUTTON_LIFETIME`` after it was last sent;
a later press is told which command to type instead of running something a month old.

PTB's ``arbitrary_callback_data`` is not used: it keeps every button's data in one process's cache (short ones
too), so a press landing on another replica, or after a restart without a persistence file, would expire.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.inbox import UNAVAILABLE
from bot.telegram.render import CALLBACK_DATA_LIMIT
from storage import buttons
from storage.db import Database
from storage.faults import first_line
from storage.models import utcnow
from storage.writer import writer_for

log = logging.getLogger(f"devrelbot.{__name__}")

INLINE = "c:"  # the command itself follows
STORED = "s:"  # a token of storage.buttons follows
# A reminder's buttons are pressed days later; a month covers that, and the table stays small.
BUTTON_LIFETIME = timedelta(days=30)


@dataclass(frozen=True)
class Pressed:
    """What a press asks for: ``command`` to run, or ``expired`` (with the command to type, when still known)."""

    command: str | None
    expired: bool = False


def inline(command: str) -> str | None:
    """The callback data that carries ``command`` itself, or None when it does not fit."""
    data = INLINE + command
    return data if len(data.encode()) <= CALLBACK_DATA_LIMIT else None


class ButtonPayloads:
    def __init__(self, db: Database, *, lifetime: timedelta = BUTTON_LIFETIME) -> None:
        self.db = db
        self.lifetime = lifetime

    async def encode(self, commands: Sequence[str]) -> list[str | None]:
        """The callback data of each button, the long commands stored first (one commit, through the writer).

        None for a long command the database could not take: that button is left out rather than the whole
        reply failing after its command was applied (a reply lost that way would not come back)."""
        data: list[str | None] = [inline(command) for command in commands]
        long = {buttons.token_for(c): c for c, d in zip(commands, data, strict=True) if d is None}
        if not long:
            return data
        try:
            await writer_for(self.db).submit(
                functools.partial(buttons.keep, commands=long, expires_at=utcnow() + self.lifetime))
        except UNAVAILABLE as error:
            log.warning("database unavailable: %d long-command buttons left out of a message: %s", len(long),
                        first_line(error))
            return data
        return [d if d is not None else STORED + buttons.token_for(c) for c, d in zip(commands, data, strict=True)]

    async def decode(self, data: str) -> Pressed:
        """The command behind a press. Raises ``UNAVAILABLE`` when the database is away (the update stays in
        the inbox and the press is handled when it is back)."""
        if data.startswith(INLINE):
            return Pressed(data[len(INLINE):])
        if not data.startswith(STORED):
            return Pressed(None, expired=True)  # a payload of an older version (kept in a process's memory)
        token = data[len(STORED):]

        def find() -> buttons.Kept | None:
            with self.db.reader() as session:
                return buttons.find(session, token=token)

        kept = await asyncio.to_thread(find)
        if kept is None:
            return Pressed(None, expired=True)
        if kept.expires_at <= utcnow():
            return Pressed(kept.command, expired=True)
        return Pressed(kept.command)
