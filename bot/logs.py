"""Logging set-up, with every configured secret masked wherever it would appear: text lines for people, or one
JSON object per line for machines (``LOG_FORMAT=json``) with the request's correlation id."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO, Literal

from bot.correlation import correlation_id

LogFormat = Literal["text", "json"]

# Token shapes, masked even when they are not ours (a pasted token in an error, a URL with /bot<token>/).
_TOKEN_PATTERNS = (
    re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}"),  # Telegram bot token
    re.compile(r"xox[abposr]-[A-Za-z0-9-]{10,}"),  # Slack bot / user tokens
    re.compile(r"xapp-[A-Za-z0-9-]{10,}"),  # Slack app-level token
)


class SecretFilter(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        for pattern in _TOKEN_PATTERNS:
            text = pattern.sub("***", text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = self.mask(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the correlation id of the request
    it was written for (``id``, when there is one) and the traceback (``exc``). The secret filter has masked
    the message and the traceback before this runs."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "correlation_id", None)
        if request_id:
            entry["id"] = request_id
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


class CorrelationFilter(logging.Filter):
    """Stamps each record with the correlation id of the request it was written for, as it is written (the
    context variable is the writer's; a handler may format later)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id.get()
        return True


def configure_logging(
    level: str, secrets: Iterable[str], *, log_format: LogFormat = "text", stream: IO[str] | None = None
) -> None:
    handler = logging.StreamHandler(stream)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(CorrelationFilter())
    handler.addFilter(SecretFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Every module logs under "devrelbot.<module>", so this one logger's level governs the whole bot.
    logging.getLogger("devrelbot").setLevel(level)
    # httpx logs every request URL, and Telegram's URLs carry the token: keep it quiet.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
