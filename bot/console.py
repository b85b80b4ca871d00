"""The console door: type commands as a local admin of a local team. Works piped, too:

printf '/log talk "X" @ Conf today audience=100\n/list\n' | devrelbot console
"""

from __future__ import annotations

import asyncio
import getpass
import os
import signal
import sys
import threading
from collections.abc import Awaitable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.text import Text

from bot.delivery import Delivery
from handlers import markup
from handlers.core import (
    Button,
    ChatRef,
    DirectTarget,
    Incoming,
    Platform,
    PollResults,
    PollSpec,
    Reply,
    SentMessage,
    UserRef,
)
from handlers.i18n import _, use_locale
from handlers.router import Router, parse_command_line

if TYPE_CHECKING:
    from prompt_toolkit.history import History

LOCAL_CHAT = ChatRef(platform="console", chat_id="local")
QUIT_WORDS = ("/quit", "/exit", "quit", "exit")


def history_path() -> Path:
    """Where the interactive prompt keeps its history (XDG state directory)."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "devrelbot" / "console_history"


def local_user() -> UserRef:
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "you"
    return UserRef(platform="console", user_id="local", display_name=name)


def to_rich(text: str) -> Text:
    out = Text()
    for span in markup.parse(text):
        style = " ".join(s for s, on in (("bold", span.bold), ("italic", span.italic), ("cyan", span.code)) if on)
        if span.url:
            out.append(span.text, style=f"{style} link {span.url}".strip())
            if span.url != span.text:
                out.append(f" ({span.url})")
        else:
            out.append(span.text, style=style or None)
    return out


async def quitting_at_the_first_ctrl_c(session: Awaitable[None]) -> None:
    """The console process's session, run by asyncio.run in the main thread: its first Ctrl-C quits (asyncio.run
    cancels the session and raises KeyboardInterrupt, which the CLI ends quietly). After that press, or once the
    session is over, the process only winds down (a command's thread finishing, the database closing): a second
    press there would raise KeyboardInterrupt wherever it lands, with a traceback, or kill the process. So from
    then on Ctrl-C is ignored — for good: the process is quitting."""
    asyncio_handler = signal.getsignal(signal.SIGINT)
    if not callable(asyncio_handler) or threading.current_thread() is not threading.main_thread():
        await session
        return

    def first_press(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        asyncio_handler(signum, frame)

    signal.signal(signal.SIGINT, first_press)
    try:
        await session
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


class ConsoleMessenger:
    """Prints what jobs send (reminders, digests), so the console shows them too."""

    platform: Platform = "console"

    def __init__(self, console: Console, out_dir: Path) -> None:
        self.console = console
        self.out_dir = out_dir
        self._sent = 0
        # The buttons shown last, as numbered choices: typing a number picks one (also a reminder's).
        self.choices: list[Button] = []

    async def send(self, chat: ChatRef, reply: Reply) -> SentMessage:
        self.show(reply)
        return self.record(chat)

    def record(self, chat: ChatRef) -> SentMessage:
        """A message id for what was just shown (so a tracked card or poll can be found again)."""
        self._sent += 1
        return SentMessage(chat=chat, message_id=f"console-{self._sent}")

    async def send_in_thread(self, chat: ChatRef, parent_id: str, reply: Reply) -> SentMessage:
        return await self.send(chat, reply)

    async def send_direct(self, target: DirectTarget, reply: Reply) -> SentMessage:
        return await self.send(LOCAL_CHAT, reply)

    async def send_poll(self, chat: ChatRef, poll: PollSpec) -> SentMessage:
        return await self.send(chat, poll_reply(poll))

    async def stop_poll(self, message: SentMessage) -> PollResults | None:
        self.console.print(_("🔒 The poll is closed."), soft_wrap=True)
        return None

    def show(self, reply: Reply) -> None:
        style = "red" if reply.is_error else None
        self.console.print(to_rich(reply.text), style=style, soft_wrap=True)
        for attachment in (reply.image, reply.document):
            if attachment is not None:
                path = self.out_dir / attachment.filename
                path.write_bytes(attachment.content)
                self.console.print(_("📎 saved {path}").format(path=path), soft_wrap=True)
        if reply.buttons:
            choices = "   ".join(f"[{i}] {markup.strip_bidi(b.label)}" for i, b in enumerate(reply.buttons, start=1))
            self.console.print(Text("  " + choices + "  " + _("— type a number to choose")), soft_wrap=True)
            self.choices = list(reply.buttons)


def poll_reply(poll: PollSpec) -> Reply:
    """The console has no polls: the question, and one numbered choice per option when a vote command is given."""
    if poll.choice_command:
        buttons = tuple(Button(option, f"{poll.choice_command} {option}") for option in poll.options)
        return Reply(markup.bold(poll.question), buttons=buttons)
    lines = [markup.bold(poll.question), *(f"  {i}. {markup.escape(o)}" for i, o in enumerate(poll.options))]
    return Reply("\n".join(lines))


class ConsoleDoor:
    def __init__(
        self,
        router: Router,
        *,
        stdin: TextIO | None = None,
        console: Console | None = None,
        out_dir: Path | None = None,
        history: Path | None = None,
    ) -> None:
        self.router = router
        self.history = history
        self.stdin = stdin or sys.stdin
        self.console = console or Console(highlight=False)
        self.messenger = ConsoleMessenger(self.console, out_dir or Path.cwd())
        self.delivery = Delivery(router, {"console": self.messenger})
        self.user = local_user()

    @property
    def interactive(self) -> bool:
        return self.stdin.isatty()

    async def run(self) -> None:
        if self.interactive:
            await self._run_interactive()
        else:
            await self._run_piped()

    async def _run_interactive(self) -> None:
        """prompt_toolkit: line editing and history; Ctrl-D and Ctrl-C at the prompt leave. (Ctrl-C while a
        command runs is a SIGINT: asyncio.run cancels this task, and the CLI ends quietly.)

        SIGINT stays asyncio.run's at every moment, the prompt's included (handle_sigint=False). prompt_toolkit's
        own handler only feeds a Ctrl-C key to its running prompt, and it is installed before the prompt takes
        the terminal (raw mode: Ctrl-C is a key) and removed after it hands it back (cooked: Ctrl-C is SIGINT). A
        Ctrl-C typed just after Enter, or with the line typed ahead, reached a prompt that was over: it was lost
        (logging a traceback) and the command ran."""
        # Imported here: only a terminal needs line editing, and a piped console (a script, a test) starts
        # without it (about 0.05 s).
        from prompt_toolkit import PromptSession
        from prompt_toolkit.patch_stdout import patch_stdout

        with use_locale(await self._language()):
            self.console.print(_("devrelbot console — type /help, or /quit to leave."))
        prompt: PromptSession[str] = PromptSession(history=self._history())
        with patch_stdout(raw=True):  # a reminder printed while someone types does not garble the prompt
            while True:
                try:
                    line = await prompt.prompt_async("> ", handle_sigint=False)
                except (EOFError, KeyboardInterrupt):
                    return
                if line.strip().lower() in QUIT_WORDS:
                    return
                await self.handle_line(line)

    async def _run_piped(self) -> None:
        lines = _lines_of(self.stdin)
        while (line := await lines.get()) is not None:
            if line.strip().lower() in QUIT_WORDS:
                return
            await self.handle_line(line)

    def _history(self) -> History:
        from prompt_toolkit.history import FileHistory, InMemoryHistory

        path = self.history or history_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
        except OSError:  # a read-only home: history for this session only
            return InMemoryHistory()
        return FileHistory(str(path))

    async def _language(self) -> str:
        """The console is the team's own terminal: its words are in the team's language (DEFAULT_LANGUAGE for a
        team not made yet)."""
        return await asyncio.to_thread(self.router.locale_for, LOCAL_CHAT)

    async def handle_line(self, line: str) -> None:
        with use_locale(await self._language()):
            await self._handle_line(line)

    async def _handle_line(self, line: str) -> None:
        text = line.strip()
        if not text:
            return
        choices = self.messenger.choices
        if text.isdigit() and choices:
            index = int(text) - 1
            if not 0 <= index < len(choices):
                self.console.print(_("Choose 1 to {n}.").format(n=len(choices)), style="red")
                return
            text = choices[index].command
        self.messenger.choices = []
        parsed = parse_command_line(text)
        if parsed is None:
            self.messenger.show(Reply(_("Commands start with / — try /help."), is_error=True))
            return
        command, args = parsed
        # The person at the terminal runs the bot on their own machine: the console's one user is its admin.
        incoming = Incoming(
            chat=LOCAL_CHAT, user=self.user, command=command, args=args, text=text, platform_admin=True
        )
        replies = await asyncio.to_thread(self.router.dispatch, incoming)
        await self.delivery.deliver(replies, _Here(self.messenger))


class _Here:
    """The console is its one chat: every reply is printed there; it has no forms (the text says what to type)."""

    def __init__(self, messenger: ConsoleMessenger) -> None:
        self.messenger = messenger

    async def chat(self) -> ChatRef:
        return LOCAL_CHAT

    async def show_form(self, reply: Reply) -> bool:
        return False

    async def post(self, reply: Reply) -> SentMessage:
        return await self.messenger.send(LOCAL_CHAT, reply)


def _lines_of(stream: TextIO) -> asyncio.Queue[str | None]:
    """The stream's lines, then None at its end. Read by a daemon thread: a blocked read never keeps the
    process from exiting (a thread of asyncio's default pool would be waited for at exit)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def put(item: str | None) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the loop is closed: the session is over
            pass

    def pump() -> None:
        try:
            for line in iter(stream.readline, ""):
                put(line)
        except (OSError, ValueError):  # stdin closed under us
            pass
        finally:
            put(None)

    threading.Thread(target=pump, name="console-stdin", daemon=True).start()
    return queue
