"""The correlation id of the request being handled: Slack's ``event_id`` (or ``trigger_id`` for a slash command
or a click), Telegram's ``update_id``.

A door sets it where a request comes in; it then rides along in a context variable — through
``asyncio.to_thread`` into the handler and the storage, and on into the delivery of the replies — so every log
line written for that request carries it (``LOG_FORMAT=json``), and one command can be followed across replicas.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Mapping
from typing import Any

correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)


@contextlib.contextmanager
def correlated(request_id: str | None) -> Iterator[None]:
    """Log everything inside the block under ``request_id`` (nothing changes when it is None)."""
    if request_id is None:
        yield
        return
    token = correlation_id.set(request_id)
    try:
        yield
    finally:
        correlation_id.reset(token)


def slack_request_id(body: Mapping[str, Any]) -> str | None:
    """An event's ``event_id``; a slash command's, a click's or a form's ``trigger_id``."""
    found = body.get("event_id") or body.get("trigger_id")
    return str(found) if found else None
