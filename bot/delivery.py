"""Reply delivery, one path for every door: what the router answered goes out here.

A door tells :meth:`Delivery.deliver` only how it answers in the chat a command came from (a :class:`Here`);
everything else is the same for all doors and lives here: polls to close, forms, replies addressed elsewhere
(another chat, another platform, a person) and polls through the Messengers of every running door
(``bot/app.py`` hands each door the full set), and tracked messages reported back to the router.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from typing import Protocol

from handlers.core import ChatRef, DirectTarget, Messenger, Posted, Reply, SentMessage
from handlers.i18n import use_locale
from handlers.router import Router

log = logging.getLogger(f"devrelbot.{__name__}")


class Here(Protocol):
    """The chat a command came from, as one door answers there: the one part of delivery each door does its
    own way (Telegram replies to the message, Slack answers privately through response_url, …)."""

    async def chat(self) -> ChatRef | None:
        """Where replies without an address go when they take the shared path (a poll, say)."""
        ...

    async def show_form(self, reply: Reply) -> bool:
        """Ask for what ``reply.form`` lacks the door's own way (a dialogue, a modal); False: not here, send
        the reply's text instead."""
        ...

    async def post(self, reply: Reply) -> SentMessage | None:
        """Answer in the chat; the message it became (None when it cannot be tracked)."""
        ...


def goes_elsewhere(reply: Reply) -> bool:
    """True when the reply takes the shared path: it is addressed to another chat or person, or is a poll."""
    return reply.to is not None or reply.poll is not None


class Delivery:
    def __init__(self, router: Router, messengers: Mapping[str, Messenger]) -> None:
        self.router = router
        self.messengers: dict[str, Messenger] = dict(messengers)

    def connect(self, messengers: Mapping[str, Messenger]) -> None:
        """Add the other doors' Messengers (a door starts knowing only its own)."""
        for platform, messenger in messengers.items():
            self.messengers.setdefault(platform, messenger)

    async def deliver(self, replies: Iterable[Reply], here: Here) -> None:
        """Send every reply. One that fails does not stop the others; once all were tried, the first failure
        is raised so that the door reports it its own way (later ones are logged here)."""
        failure: Exception | None = None
        for reply in replies:
            try:
                await self._deliver_one(reply, here)
            except Exception as error:
                if failure is None:
                    failure = error
                else:
                    log.warning("could not send a reply: %s: %s", type(error).__name__, error)
        if failure is not None:
            raise failure

    async def _deliver_one(self, reply: Reply, here: Here) -> None:
        if reply.stop_polls:
            await self.stop_polls(reply)
        if reply.form is not None and await here.show_form(reply):
            return
        if goes_elsewhere(reply):
            await self.send(reply, here=await here.chat())
        else:
            await self.posted(reply, await here.post(reply))
        log.debug("reply delivered (%d characters)", len(reply.text))

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
                # A platform without polls writes its own words around the options: in the chat's language.
                with use_locale(await asyncio.to_thread(self.router.locale_for, target)):
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
                with use_locale(await asyncio.to_thread(self.router.locale_for, message.chat)):
                    results = await messenger.stop_poll(message)
            except Exception as error:
                log.warning("could not close a poll on %s: %s: %s", message.chat.platform, type(error).__name__,
                            error)
                continue
            if results is not None:
                await asyncio.to_thread(self.router.handle_event, results)
