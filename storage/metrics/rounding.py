"""Half-up rounding for display (4.25 → 4.3, 62.5% → 63%): what people expect, unlike Python's and Babel's
round-half-even. Floats go through their shortest repr first, so 4.35 (stored as 4.34999…) rounds to 4.4."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def half_up(value: float | int | Decimal, places: int = 0) -> Decimal:
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
