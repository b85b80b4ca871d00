"""The Slack Web API client, counting for the metrics what it posted and which calls Slack refused (every
Web API method of slack-sdk goes through ``api_call``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

if TYPE_CHECKING:
    from bot.metrics import Metrics

# The methods that put a message (or a file) in front of people.
POSTING = frozenset({"chat.postMessage", "chat.postEphemeral", "files.completeUploadExternal"})


class MeteredWebClient(AsyncWebClient):
    def __init__(self, *args: Any, metrics: Metrics | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.metrics = metrics

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        if self.metrics is None:
            return await super().api_call(api_method, **kwargs)
        try:
            response = await super().api_call(api_method, **kwargs)
        except SlackApiError as error:
            self.metrics.platform_error("slack", str(error.response.get("error") or "error"))
            raise
        except Exception as error:  # the API unreachable, a timeout
            self.metrics.platform_error("slack", type(error).__name__)
            raise
        if api_method in POSTING:
            self.metrics.message_sent("slack")
        return response
