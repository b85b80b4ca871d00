"""Messengers for job tests: they record what would have been sent, or fail on purpose."""

from __future__ import annotations

from dataclasses import dataclass, field

from handlers.core import ChatRef, DirectTarget, PollSpec, Reply, SentMessage


@dataclass
class RecordingMessenger:
    platform: str = "console"
    sent: list[tuple[DirectTarget, Reply]] = field(default_factory=list)
    fail_next: int = 0
    crash_after: int | None = None  # raise CancelledError (the process is killed) after this many sends

    async def send(self, chat: ChatRef, reply: Reply) -> SentMessage:
        return await self.send_direct(DirectTarget(user=None, fallback_chat=chat), reply)  # type: ignore[arg-type]

    async def send_poll(self, chat: ChatRef, poll: PollSpec) -> SentMessage:
        raise NotImplementedError

    async def send_in_thread(self, chat: ChatRef, parent_id: str, reply: Reply) -> SentMessage:
        return await self.send(ChatRef(chat.platform, chat.chat_id, thread_id=parent_id), reply)

    async def send_direct(self, target: DirectTarget, reply: Reply) -> SentMessage:
        import asyncio

        if self.crash_after is not None and len(self.sent) >= self.crash_after:
            raise asyncio.CancelledError
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("platform unreachable")
        self.sent.append((target, reply))
        return SentMessage(chat=ChatRef(platform="console", chat_id="dm"), message_id=str(len(self.sent)))

    @property
    def texts(self) -> list[str]:
        from handlers.markup import to_plain

        return [to_plain(reply.text) for _target, reply in self.sent]
