"""Reaction events in HTTP mode, from the request straight to the vote.

Reactions are the Slack door's busiest request by far, and their listener needs nothing bolt prepares: bolt's
dispatch (a context and a Web API client per request, every middleware, listener matching, each function's
arguments rebuilt by inspection) cost more CPU per event than the vote's whole transaction
(bench/bench_reactions.py prints both). So an Events API request whose event is ``reaction_added`` or
``reaction_removed`` is checked and applied here, with what bolt would have done for it:

- the request is verified as bolt verifies it (slack-sdk's ``SignatureVerifier``: the signing secret's HMAC and
  a timestamp at most five minutes old) — a request that fails is answered 401 as bolt answers it;
- it goes to the same listener (``SlackListeners.on_reaction``, guarded like every listener), which ignores the
  bot's own reactions, records the event id in the vote's transaction and answers only after the commit;
- the database away is answered 503 (not acknowledged: Slack sends it again), as ``door._refuse_unreadable`` does.

Anything else — and any body this cannot read — goes to bolt unchanged. Socket Mode always goes through bolt.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bot.correlation import correlation_id, slack_request_id
from bot.slack.listeners import UNAVAILABLE, SlackListeners, _guarded

log = logging.getLogger(f"devrelbot.{__name__}")

REACTIONS = frozenset({"reaction_added", "reaction_removed"})
_MARKERS = (b'"reaction_added"', b'"reaction_removed"')  # no JSON parsed for the other requests


class Reactions:
    def __init__(self, signing_secret: str, listeners: SlackListeners) -> None:
        self.verifier = SignatureVerifier(signing_secret)
        self.on_reaction = _guarded(listeners.on_reaction)

    async def handle(self, raw: bytes, headers: Mapping[str, str]) -> web.Response | None:
        """The response to a reaction event; None when the request is not one (bolt then handles it)."""
        if not any(marker in raw for marker in _MARKERS):
            return None
        body = _reaction_callback(raw)
        if body is None:
            return None
        if not self.verifier.is_valid(body=raw, timestamp=headers.get("X-Slack-Request-Timestamp"),
                                      signature=headers.get("X-Slack-Signature")):
            log.info("Slack: a reaction event with an invalid signature or an old timestamp refused")
            return web.json_response({"error": "invalid request"}, status=401)  # bolt's answer
        correlation_id.set(slack_request_id(body))
        try:
            await self.on_reaction(body=body, event=body["event"])
        except UNAVAILABLE as error:
            log.warning("Slack: database unavailable, request not acknowledged (Slack retries it): %s",
                        type(error).__name__)
            return web.Response(status=503)
        return web.Response(status=200)


def _reaction_callback(raw: bytes) -> dict[str, Any] | None:
    """The Events API envelope of a reaction event; None for anything else (a form-encoded interaction, another
    event, a body that is not JSON)."""
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(body, dict) or body.get("type") != "event_callback":
        return None
    event = body.get("event")
    if not isinstance(event, dict) or event.get("type") not in REACTIONS:
        return None
    return body
