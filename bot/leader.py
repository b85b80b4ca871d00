"""Leader election among replicas: work that only one process may do at a time (Telegram long polling allows
one consumer per bot token) runs in the process that holds the role's lock (``storage.leader``); the others
stand by and ask again every few seconds, so one of them takes over soon after the leader dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import socket
from collections.abc import Callable, Coroutine
from typing import Any

from storage.db import Database
from storage.leader import AdvisoryLock

log = logging.getLogger(f"devrelbot.{__name__}")

STANDBY_SECONDS = 2.0  # how often a standby asks for the lock: a dead leader's role moves within about this
CHECK_SECONDS = 2.0  # how often the leader checks that it still holds the lock
CHECK_TIMEOUT = 5.0  # a check that hangs this long counts as the lock lost

Observer = Callable[[bool], None]


@functools.cache
def replica_id() -> str:
    """This process among the replicas, in logs and metrics: host and process id."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}"


class Leadership:
    def __init__(
        self, db: Database, role: str, *, replica: str, standby_seconds: float = STANDBY_SECONDS,
        check_seconds: float = CHECK_SECONDS, on_change: Observer | None = None,
    ) -> None:
        self.lock = AdvisoryLock(db, role)
        self.role = role
        self.replica = replica  # this process's name in the logs and the metrics
        self.standby_seconds = standby_seconds
        self.check_seconds = check_seconds
        self.on_change = on_change  # told True on taking the role, False on giving it up
        self.leading = False

    async def lead(self, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run ``work`` whenever this process holds the role, until cancelled. ``work`` runs until it is
        cancelled (the role was lost) or fails; a failure gives the role up and is raised."""
        announced_standby = False
        try:
            while True:
                if not await self._acquire():
                    if not announced_standby:
                        log.info("%s: standing by; another replica leads", self.role)
                        announced_standby = True
                    await asyncio.sleep(self.standby_seconds)
                    continue
                announced_standby = False
                await self._lead_while_held(work)
        finally:
            self._set_leading(False)
            await asyncio.shield(asyncio.to_thread(self.lock.release))

    async def _acquire(self) -> bool:
        try:
            return await asyncio.to_thread(self.lock.try_acquire)
        except Exception as error:  # the database away: stand by, ask again later
            log.warning("%s: cannot ask for the lock: %s", self.role, type(error).__name__)
            return False

    async def _lead_while_held(self, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        self._set_leading(True)
        log.info("%s: this replica (%s) leads", self.role, self.replica)
        working = asyncio.create_task(work(), name=f"leader:{self.role}")
        watching = asyncio.create_task(self._watch(), name=f"leader-check:{self.role}")
        try:
            done, _pending = await asyncio.wait({working, watching}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (working, watching):
                task.cancel()
            await asyncio.wait({working, watching})
        self._set_leading(False)
        if working in done:
            await asyncio.to_thread(self.lock.release)
            working.result()  # raises the work's failure: the caller decides what happens next
            return
        log.warning("%s: lost the lock; standing by", self.role)

    async def _watch(self) -> None:
        """Returns when the lock is lost (its connection gone, or a check that hangs)."""
        while True:
            await asyncio.sleep(self.check_seconds)
            try:
                held = await asyncio.wait_for(asyncio.to_thread(self.lock.still_held), timeout=CHECK_TIMEOUT)
            except TimeoutError:
                held = False
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(self.lock.release)
            if not held:
                return

    def _set_leading(self, leading: bool) -> None:
        if leading == self.leading:
            return
        self.leading = leading
        if self.on_change is not None:
            self.on_change(leading)
