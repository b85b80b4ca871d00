"""Ctrl-C typed while the console's prompt is not holding the terminal in raw mode quits, like a Ctrl-C at any
other moment. Then the key arrives as SIGINT: a pipe stands in for the terminal here and, like a real one, sends
the person's Ctrl-C as SIGINT just before the prompt takes the terminal, or just after it hands it back (Enter
taken, the command not started) — the moment where the key used to be lost: the command ran, the console went on."""

from __future__ import annotations

import asyncio
import io
import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from bot.console import ConsoleDoor
from handlers.router import Router


class Keyboard(io.StringIO):
    """The door's stdin: a terminal, so it prompts (prompt_toolkit reads the pipe input)."""

    def isatty(self) -> bool:
        return True


@contextmanager
def sigint_as_in_a_terminal() -> Iterator[None]:
    """SIGINT's handler as a process started from a shell's prompt has it, so asyncio.run takes it over as in the
    CLI (tests run in a background job start with SIGINT ignored)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize("moment", ["takes", "hands back"], ids=lambda m: f"as the prompt {m} the terminal")
def test_ctrl_c_while_the_terminal_is_not_raw_quits(
    tmp_path: Path, router: Router, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, moment: str
) -> None:
    with (
        sigint_as_in_a_terminal(),
        create_pipe_input() as terminal,
        create_app_session(input=terminal, output=DummyOutput()),
    ):
        raw_mode = terminal.raw_mode

        @contextmanager
        def raw_mode_and_a_ctrl_c() -> Iterator[None]:
            if moment == "takes":
                signal.raise_signal(signal.SIGINT)
            with raw_mode():
                yield
            if moment == "hands back":
                signal.raise_signal(signal.SIGINT)

        monkeypatch.setattr(terminal, "raw_mode", raw_mode_and_a_ctrl_c)
        terminal.send_text("/help\r/quit\r")  # a lost Ctrl-C shows: /help answers, and /quit ends the session
        out = io.StringIO()
        door = ConsoleDoor(router, stdin=Keyboard(), console=Console(file=out), history=tmp_path / "history")

        with pytest.raises(KeyboardInterrupt):  # what the CLI turns into a quiet exit, status 0
            asyncio.run(door.run())
    assert "Log a talk" not in out.getvalue()  # the command on the line never ran
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # no traceback logged on the way out
