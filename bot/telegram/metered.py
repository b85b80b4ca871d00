"""python-telegram-bot's HTTP request, counting for the metrics every call by method, what the bot sent and which
calls failed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.error import TelegramError, TimedOut
from telegram.request import HTTPXRequest, RequestData

if TYPE_CHECKING:
    from bot.metrics import Metrics

SENDING = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendPoll", "sendMediaGroup"})


def error_kind(status: int) -> str:
    if status == 429:
        return "rate_limited"
    if status == 403:
        return "forbidden"
    if status == 409:
        return "conflict"  # another getUpdates (two pollers on one token)
    if status >= 500:
        return "server_error"
    return "bad_request"


class MeteredRequest(HTTPXRequest):
    def __init__(self, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.metrics = metrics

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE, write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE, pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        # A file download's path names the file (and the token sits before it): counted as "file".
        endpoint = "file" if "/file/bot" in url else url.rsplit("/", 1)[-1]
        self.metrics.platform_call("telegram", endpoint)
        try:
            status, payload = await super().do_request(url, method, request_data, read_timeout, write_timeout,
                                                       connect_timeout, pool_timeout)
        except TimedOut:
            if endpoint != "getUpdates":  # a long poll that ran out is not an error
                self.metrics.platform_error("telegram", "timeout")
            raise
        except TelegramError:
            self.metrics.platform_error("telegram", "network")
            raise
        if status >= 400:
            self.metrics.platform_error("telegram", error_kind(status))
        elif endpoint in SENDING:
            self.metrics.message_sent("telegram")
        return status, payload
