"""The Slack Web API client, counting for the metrics every call by method, what it posted and which calls Slack
refused (every Web API method of slack-sdk goes through ``api_call``).

The door's own client is one (:func:`bot.slack.door.build_client`); bolt builds another for every request (the
``client`` its listeners take: the /log modal's updates, App Home). :func:`metered_copy` makes that one count
too, and the door's middleware hands it to the listeners."""

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
        self.metrics.platform_call("slack", api_method)
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


def metered_copy(client: AsyncWebClient, metrics: Metrics) -> MeteredWebClient:
    """``client`` (bolt's per-request one) as a metered client: the same token (bolt's authorization middleware
    sets it on that very client), team, session, headers and retry handlers. bolt has no client factory, and it
    builds the per-request client as a plain ``AsyncWebClient`` whatever the app's own is; so its attributes are
    copied as they are (a shallow copy, no ``__init__``: that would rebuild and re-read what bolt already set,
    and the copy costs a microsecond on every request, reactions included)."""
    metered = MeteredWebClient.__new__(MeteredWebClient)
    metered.__dict__.update(vars(client))
    metered.metrics = metrics
    return metered
