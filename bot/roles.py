"""The platform's word on who administers what, asked by the doors and kept for a few minutes.

Handlers never ask a platform: a door asks (Slack ``users.info`` → ``is_admin``/``is_owner``, Telegram
``getChatMember`` → administrator or creator) and puts the answer on the ``Incoming``. An answer older than
``ttl`` seconds is asked again, so a person whose admin rights were taken away on the platform loses them
here within minutes; at most ``size`` answers are kept (the least recently used go first).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable

ROLE_TTL_SECONDS = 300.0
ROLE_CACHE_SIZE = 10_000

# Asks the platform: True or False, or None when it could not tell (that is not remembered).
Ask = Callable[[], Awaitable[bool | None]]


class RoleCache:
    def __init__(
        self,
        *,
        ttl: float = ROLE_TTL_SECONDS,
        size: int = ROLE_CACHE_SIZE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.size = size
        self.clock = clock
        self._answers: OrderedDict[Hashable, tuple[bool, float]] = OrderedDict()

    async def is_admin(self, key: Hashable, ask: Ask, *, fresh: bool = False) -> bool:
        """The cached answer for ``key`` while it is younger than ``ttl``; otherwise (or when ``fresh``) ask."""
        now = self.clock()
        known = self._answers.get(key)
        if known is not None and not fresh and now - known[1] < self.ttl:
            self._answers.move_to_end(key)
            return known[0]
        answer = await ask()
        if answer is None:
            self._answers.pop(key, None)
            return False
        self.remember(key, answer)
        return answer

    def remember(self, key: Hashable, answer: bool) -> None:
        """Keep an answer learnt on the way (a ``users.info`` the door made for the person's name anyway)."""
        self._answers[key] = (answer, self.clock())
        self._answers.move_to_end(key)
        while len(self._answers) > self.size:
            self._answers.popitem(last=False)

    def __len__(self) -> int:
        return len(self._answers)
