"""Messengers for job tests: they record what would have been sent, or fail on purpose; the one for tests
that run sweeps in other processes writes to files."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from pathlib import Path

from handlers.core import ChatRef, DirectTarget, PollSpec, Reply, SentMessage
from handlers.markup import to_plain


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
        if self.crash_after is not None and len(self.sent) >= self.crash_after:
            raise asyncio.CancelledError
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("platform unreachable")
        self.sent.append((target, reply))
        return SentMessage(chat=ChatRef(platform="console", chat_id="dm"), message_id=str(len(self.sent)))

    @property
    def texts(self) -> list[str]:
        return [to_plain(reply.text) for _target, reply in self.sent]


def append_line(path: Path, line: str) -> None:
    """Append and fsync: the line is on disk even when the process is killed right after."""
    with path.open("a", encoding="utf-8") as out:
        out.write(line + "\n")
        out.flush()
        os.fsync(out.fileno())


class FileMessenger:
    """For a sweep in another process: ``started`` gets a line when a send begins, ``sent`` when it completed
    (the message's first line, prefixed by its chat for channel posts). Each send takes ``round_trip`` seconds;
    the send numbered ``hang_at`` hangs (a platform that does not answer), so a test can kill the process in
    the middle of it."""

    platform = "console"

    def __init__(self, sent: Path, started: Path | None = None, *, hang_at: int = 0,
                 round_trip: float = 0.001) -> None:
        self.sent, self.started, self.hang_at, self.round_trip = sent, started, hang_at, round_trip
        self.count = 0

    async def send_direct(self, target: DirectTarget, reply: Reply) -> SentMessage:
        return await self._send(to_plain(reply.text).splitlines()[0])

    async def send(self, chat: ChatRef, reply: Reply) -> SentMessage:
        return await self._send(f"{chat.chat_id}: {to_plain(reply.text).splitlines()[0]}")

    async def send_in_thread(self, chat: ChatRef, parent_id: str, reply: Reply) -> SentMessage:
        part = "chart" if reply.image is not None else to_plain(reply.text).splitlines()[0]
        return await self._send(f"{chat.chat_id} (thread {parent_id}): {part}")

    async def stop_poll(self, message: SentMessage) -> None:
        await self._send(f"stop {message.message_id}")

    async def _send(self, line: str) -> SentMessage:
        self.count += 1
        if self.started is not None:
            append_line(self.started, line)
        await asyncio.sleep(3600 if self.count == self.hang_at else self.round_trip)
        append_line(self.sent, line)
        return SentMessage(chat=ChatRef(platform="console", chat_id="dm"), message_id=str(self.count))
