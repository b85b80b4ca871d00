"""Telegram's flood limits, bounded: PTB's ``AIORateLimiter`` with a ceiling on how long a 429 may park a send,
and a few retries with backoff (tenacity, as for the doors' start-up) for network errors."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import NetworkError, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt, wait_exponential

log = logging.getLogger(f"devrelbot.{__name__}")


class BoundedRateLimiter(AIORateLimiter):
    """PTB's limiter waits out a 429 ``retry_after`` and retries; this one refuses to wait longer than
    ``max_wait`` seconds, so one flood-limited chat cannot park a send (and the loop's caller) for an hour.

    Network errors (a 5xx from the Bot API, a refused or dropped connection) are retried ``network_retries``
    times with exponential backoff from ``network_backoff`` seconds, then raised (the door logs them). A
    ``BadRequest`` or ``TimedOut`` is not retried: the first is final, and after the second the message may
    already have been delivered."""

    def __init__(
        self, *, max_wait: float, max_retries: int = 3, network_retries: int = 2, network_backoff: float = 1.0
    ) -> None:
        super().__init__(max_retries=max_retries)
        self.max_wait = max_wait
        self.network_retries = network_retries
        self.network_backoff = network_backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        def warn(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            log.warning("Telegram %s failed (%s); retry %d in %.1f s", endpoint, error, state.attempt_number,
                        state.upcoming_sleep)

        # A plain NetworkError only: its subclasses BadRequest and TimedOut are not worth a retry (see above).
        network = AsyncRetrying(
            retry=retry_if_exception(lambda error: type(error) is NetworkError),
            stop=stop_after_attempt(self.network_retries + 1),
            wait=wait_exponential(multiplier=self.network_backoff),
            before_sleep=warn,
            reraise=True,
        )

        async def bounded(*a: Any, **kw: Any) -> Any:
            try:
                return await network(callback, *a, **kw)
            except RetryAfter as exc:
                wait = _seconds(exc.retry_after)
                if wait > self.max_wait:
                    raise TelegramError(
                        f"flood limit: asked to wait {wait:.0f} s, more than {self.max_wait:.0f} s"
                    ) from exc
                raise

        return await super().process_request(bounded, args, kwargs, endpoint, data, rate_limit_args)


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
