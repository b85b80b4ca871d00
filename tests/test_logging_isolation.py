"""The logging a test's CLI run configures ends with the test.

``devrelbot``'s commands configure the root logger (bot.logs.configure_logging) with a handler on the stderr of the
moment; under Typer's CliRunner that is a buffer closed when ``invoke`` returns. Left in place, a record logged by a
later test — a writer thread's "unit of work committed", say — went to the closed buffer and Python printed
"--- Logging error --- … I/O operation on closed file" in the middle of the suite. tests/conftest.py takes such
handlers away after each test. (The two tests run in this order, as pytest runs a file's tests.)"""

from __future__ import annotations

import logging

from typer.testing import CliRunner

from bot.cli import app


def test_a_cli_run_configures_the_root_logger_on_the_runners_stderr(db, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", str(db.engine.url))
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")

    result = CliRunner().invoke(app, ["db", "upgrade"])

    assert result.exit_code == 0, result.output
    assert any(type(handler) is logging.StreamHandler for handler in logging.getLogger().handlers)


def test_the_next_test_logs_to_no_closed_stream():
    root = logging.getLogger()
    closed = [handler for handler in root.handlers
              if isinstance(handler, logging.StreamHandler) and getattr(handler.stream, "closed", False)]

    assert closed == []
    assert root.level != logging.DEBUG  # the level from before, not the CLI run's
