"""A small bounded cache whose entries expire: names looked up on a platform change now and then, and a
long-running process must not keep every person it ever saw."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    def __init__(self, *, max_size: int, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_size, self.ttl, self.clock = max_size, ttl, clock
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        stored_at, value = entry
        if self.clock() - stored_at > self.ttl:
            del self._entries[key]  # stale: looked up again
            return None
        self._entries.move_to_end(key)
        return value

    def __setitem__(self, key: K, value: V) -> None:
        self._entries[key] = (self.clock(), value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_size:
            self._entries.popitem(last=False)  # the least recently used

    def __len__(self) -> int:
        return len(self._entries)
