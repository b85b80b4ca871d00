"""One holder at a time of a named role, across every process on one database: a PostgreSQL session-level
advisory lock (``pg_try_advisory_lock``) held on a connection of its own.

The lock lives as long as that connection: a process that dies, or loses its connection, lets go of it, and
PostgreSQL hands it to the next process that asks. SQLite is one process by design (docs/deploy.md), so there
the one process always holds it.
"""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import Connection, text

from storage.db import Database

log = logging.getLogger(f"devrelbot.{__name__}")


def lock_key(name: str) -> int:
    """The role's name as PostgreSQL's advisory lock key (a signed 64-bit integer), the same in every process."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class AdvisoryLock:
    """Blocking calls (run them in a worker thread). Not shared between threads at once."""

    def __init__(self, db: Database, name: str) -> None:
        self.db = db
        self.name = name
        self.key = lock_key(name)
        self._connection: Connection | None = None
        self._held_here = False  # SQLite: the one process holds it

    @property
    def held(self) -> bool:
        return self._held_here or self._connection is not None

    def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; True when this process holds it now."""
        if self.held:
            return True
        if not self.db.is_postgres:
            self._held_here = True
            return True
        # Autocommit: the connection holds the lock, not a transaction left open for hours.
        connection = self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            # Advisory locks are per database server: the key names the schema too, so two bots that share a
            # server but keep their data apart never wait for each other.
            scope = connection.execute(text("SELECT current_database() || '.' || current_schema()")).scalar()
            self.key = lock_key(f"{self.name}@{scope}")
            got = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar())
        except Exception:
            _drop(connection)
            raise
        if not got:
            connection.close()
            return False
        self._connection = connection
        return True

    def still_held(self) -> bool:
        """Whether the lock's connection still answers (a session lock lasts as long as its session); when it
        does not, the lock is given up here as well, and False."""
        if self._held_here:
            return True
        connection = self._connection
        if connection is None:
            return False
        try:
            connection.execute(text("SELECT 1"))
        except Exception as error:
            log.warning("lost the connection holding the %s lock: %s", self.name, type(error).__name__)
            self._connection = None
            _drop(connection)
            return False
        return True

    def release(self) -> None:
        self._held_here = False
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            connection.close()
        except Exception:
            _drop(connection)


def _drop(connection: Connection) -> None:
    """Close the connection for good rather than hand it back to the pool, where a lock taken on it would live
    on in another caller's hands."""
    try:
        connection.invalidate()
        connection.close()
    except Exception:
        log.debug("closing a broken lock connection failed", exc_info=True)
