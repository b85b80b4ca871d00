"""Delivery a door shares with the others: replies addressed elsewhere (another chat, another platform, a
person), polls, closing polls, and reporting tracked messages back to the router.

Each door answers in its own chat as it always did; what a Reply asks beyond that goes through here, by
platform, through the Messengers of every running door (``bot/app.py`` hands each door the full set).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from handlers.core import ChatRef, DirectTarget, Messenger, Posted, Reply, SentMessage
from handlers.router import Router

log = logging.getLogger(f"devrelbot.{__name__}")


def needs_outbox(reply: Reply) -> bool:
    """True when the reply goes somewhere else than the command's chat, or is a poll."""
    return reply.to is not None or reply.poll is not None


class Outbox:
    def __init__(self, router: Router, messengers: Mapping[str, Messenger]) -> None:
        self.router = router
        self.messengers: dict[str, Messenger] = dict(messengers)

    def connect(self, messengers: Mapping[str, Messenger]) -> None:
        """Add the other doors' Messengers (a door starts knowing only its own)."""
        for platform, messenger in messengers.items():
            self.messengers.setdefault(platform, messenger)

    async def send(self, reply: Reply, *, here: ChatRef | None) -> SentMessage | None:
        """Send ``reply`` to ``reply.to`` (or ``here``), as a poll when it is one; report it when tracked.
        A failure is logged and swallowed: one unreachable chat must not stop the other replies."""
        target = reply.to or here
        if target is None:
            return None
        platform = target.user.platform if isinstance(target, DirectTarget) else target.platform
        messenger = self.messengers.get(platform)
        try:
            if messenger is None:
                raise LookupError(f"the {platform} door is not running")
            if isinstance(target, DirectTarget):
                sent = await messenger.send_direct(target, reply)
            elif reply.poll is not None:
                sent = await messenger.send_poll(target, reply.poll)
            else:
                sent = await messenger.send(target, reply)
        except Exception as error:
            log.warning("could not send to %s: %s: %s", platform, type(error).__name__, error)
            return None
        await self.posted(reply, sent)
        return sent

    async def posted(self, reply: Reply, sent: SentMessage | None) -> None:
        """A tracked reply went out: tell the router which message it became."""
        if reply.track and sent is not None and sent.message_id:
            await asyncio.to_thread(self.router.handle_event, Posted(track=reply.track, sent=sent))

    async def stop_polls(self, reply: Reply) -> None:
        """Close the polls the reply names; final results (where the platform counts) go to the router."""
        for message in reply.stop_polls:
            messenger = self.messengers.get(message.chat.platform)
            try:
                if messenger is None:
                    raise LookupError(f"the {message.chat.platform} door is not running")
                results = await messenger.stop_poll(message)
            except Exception as error:
                log.warning("could not close a poll on %s: %s: %s", message.chat.platform, type(error).__name__,
                            error)
                continue
            if results is not None:
                await asyncio.to_thread(self.router.handle_event, results)
