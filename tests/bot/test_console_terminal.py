"""``devrelbot console`` in a real pseudo-terminal, as a person types into it: line editing, history, and
Ctrl-C / Ctrl-D quit at once and cleanly — no traceback, exit status 0."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pexpect
import pytest

CTRL_C, CTRL_D, BACKSPACE, UP = "\x03", "\x04", "\x7f", "\x1b[A"


def as_from_a_terminal() -> None:
    """The console started from a shell's prompt has SIGINT's default disposition; a test run in a background job
    (`pytest &`, which ignores SIGINT) would hand its ignoring down, and Ctrl-C could never quit the child."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def spawn(tmp_path: Path) -> pexpect.spawn:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'console.db'}", "LOG_LEVEL": "WARNING",
           "XDG_STATE_HOME": str(tmp_path / "state"), "TERM": "xterm", "COLUMNS": "200", "LINES": "50",
           "PROMPT_TOOLKIT_NO_CPR": "1"}  # pexpect does not answer the cursor-position query a terminal would
    env = {k: v for k, v in env.items() if not k.startswith(("TELEGRAM_", "SLACK_"))}
    child = pexpect.spawn(sys.executable, ["-m", "bot", "console"], cwd=str(tmp_path), env=env,
                          encoding="utf-8", timeout=60, dimensions=(50, 200), preexec_fn=as_from_a_terminal)
    child.expect_exact("/quit to leave")
    child.expect_exact(">")  # the prompt (drawn with cursor moves, so no literal "> ")
    return child


def finish(child: pexpect.spawn) -> str:
    child.expect(pexpect.EOF, timeout=60)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "Traceback" not in (child.before or "")
    return child.before or ""


@pytest.mark.parametrize("key", [CTRL_C, CTRL_D], ids=["ctrl-c", "ctrl-d"])
def test_ctrl_c_or_ctrl_d_at_the_prompt_quits_without_a_traceback(tmp_path, key):
    child = spawn(tmp_path)
    child.send("/hel")  # half a line typed: the key still quits
    child.send(key) if key == CTRL_C else (child.send(BACKSPACE * 4), child.send(key))
    finish(child)


def test_the_prompt_edits_lines_and_remembers_them(tmp_path):
    child = spawn(tmp_path)
    child.send("/helx" + BACKSPACE + "p\r")  # a typo fixed with backspace
    child.expect_exact("Log a talk")
    child.expect_exact(">")
    child.send(UP + "\r")  # the previous line again
    child.expect_exact("Log a talk")
    child.expect_exact(">")
    child.send(CTRL_D)
    finish(child)
    history = (tmp_path / "state" / "devrelbot" / "console_history").read_text()
    assert "/help" in history and "/helx" not in history


def test_ctrl_c_while_a_command_runs_quits_without_a_traceback(tmp_path):
    child = spawn(tmp_path)
    child.send("/stats quarter\r")
    child.send(CTRL_C)
    finish(child)


def test_ctrl_c_pressed_again_and_again_quits_without_a_traceback(tmp_path):
    child = spawn(tmp_path)
    child.send("/stats quarter\r")
    for _ in range(3):  # an impatient person: the first press quits, the next land while the console winds down
        child.send(CTRL_C)
    finish(child)
