"""Logging set-up, with every configured secret masked wherever it would appear."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

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


def configure_logging(level: str, secrets: Iterable[str]) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
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
