"""Errors a person can fix: each says what was wrong, names the offending token, and shows an example."""

from __future__ import annotations

TOKEN_LIMIT = 40


def quote_token(token: str, *, limit: int = TOKEN_LIMIT) -> str:
    """A person's token as an error message shows it: in quotes, cut to ``limit`` characters with "…" so a
    pasted essay does not flood the reply (and a cut is never mistaken for what was typed)."""
    shown = token if len(token) <= limit else token[:limit] + "…"
    return f"“{shown}”"


class UserError(Exception):
    """Bad input. The router turns it into a private reply and rolls back, so nothing is stored."""

    def __init__(
        self, message: str, *, example: str | None = None, hint: str | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.example = example
        self.hint = hint
        self.field = field  # the input field at fault (title, date, audience, …), for forms that show it inline


class IncompleteCommand(UserError):
    """Required fields are missing. Doors that have forms (a Slack modal, a Telegram dialogue) open one;
    elsewhere the message and example are shown."""

    def __init__(self, message: str, *, example: str, command: str, known: dict[str, str] | None = None) -> None:
        super().__init__(message, example=example, field=None)
        self.command = command
        self.known = dict(known or {})


class PermissionDenied(UserError):
    pass
