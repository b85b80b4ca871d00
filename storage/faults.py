"""Database faults by name: what went wrong, so the person is told what to do and the log says it in one line.

A driver reports every one of these as an ``OperationalError`` with a message; :func:`classify` reads it. A fault
that a new connection may cure (the file was read-only or missing when the connection was opened, the server went
away) also invalidates the pooled connections (:func:`heal_on_fault`), so the bot recovers by itself once the fault
is gone — no restart.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from sqlalchemy import Engine, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger(f"devrelbot.{__name__}")


class Fault(StrEnum):
    LOCKED = "locked"  # another writer held the lock longer than the busy timeout
    READ_ONLY = "read-only"  # the file (or its directory) cannot be written
    NO_FILE = "cannot open"  # the file's directory is missing or not accessible
    DISK_FULL = "disk full"
    UNREACHABLE = "unreachable"  # the server refused, timed out or dropped the connection


_SIGNS: tuple[tuple[Fault, tuple[str, ...]], ...] = (
    (Fault.LOCKED, ("database is locked", "database table is locked", "lock timeout", "canceling statement due to "
                    "lock timeout")),
    (Fault.READ_ONLY, ("readonly database", "read-only", "read only")),
    (Fault.NO_FILE, ("unable to open database file", "no such file or directory")),
    (Fault.DISK_FULL, ("database or disk is full", "no space left on device", "disk is full", "could not extend file")),
    (Fault.UNREACHABLE, ("connection refused", "could not connect", "connection timeout", "timeout expired",
                         "server closed the connection", "connection is lost", "connection is closed",
                         "terminating connection", "no route to host", "name or service not known",
                         "could not translate host name", "connection reset", "the connection is closed",
                         "consuming input failed", "server conn crashed")),
)


def classify(error: BaseException) -> Fault | None:
    """The fault ``error`` reports, or None when it is not one of these (a bug, then)."""
    if isinstance(error, PoolTimeout):
        return Fault.LOCKED  # every pooled connection busy for the pool's timeout: the same advice
    text = str(getattr(error, "orig", None) or error).lower()
    for fault, signs in _SIGNS:
        if any(sign in text for sign in signs):
            return fault
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return Fault.UNREACHABLE  # the driver called it a disconnect in words not listed above
    return None


def first_line(error: BaseException) -> str:
    """The driver's own message, first line only (never the SQL or the parameters)."""
    orig = getattr(error, "orig", None) or error
    text = str(orig).strip()
    return text.splitlines()[0] if text else type(orig).__name__


HEALED_BY_RECONNECTING = {Fault.READ_ONLY, Fault.NO_FILE, Fault.UNREACHABLE}


def heal_on_fault(engine: Engine) -> None:
    """SQLite opens a file it cannot write read-only, and the connection stays so after the file is writable
    again; a connection to a server that went away is dead. Treat both as a disconnect: SQLAlchemy then
    invalidates the pool, and the next unit of work opens fresh connections."""

    @event.listens_for(engine, "handle_error")
    def _invalidate(context: ExceptionContext) -> None:
        if classify(context.original_exception) in HEALED_BY_RECONNECTING:
            context.is_disconnect = True
