"""The in-memory name cache is bounded and its entries are looked up again after a while."""

from __future__ import annotations

from bot.cache import TtlCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_and_the_least_recently_used_go_first():
    clock = Clock()
    cache: TtlCache[str, str] = TtlCache(max_size=2, ttl=60, clock=clock)
    cache["U1"], cache["U2"] = "ann", "ben"
    assert cache.get("U1") == "ann"  # U1 used: U2 is now the oldest
    cache["U3"] = "cy"
    assert (cache.get("U1"), cache.get("U2"), cache.get("U3"), len(cache)) == ("ann", None, "cy", 2)
    clock.now = 61
    assert cache.get("U1") is None and cache.get("U3") is None  # renamed people are seen within the hour
