"""Telegram rendering that needs no PTB: HTML split under the size limit, button payloads, the command list.

Rendering itself is :func:`handlers.markup.to_html`; this module only decides where to cut. Every piece it
renders is one markup span (bold, italic, code, link or plain) on one line, and each such piece renders to
balanced HTML, so a cut between pieces never breaks a tag.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Iterable

from handlers import markup
from handlers.i18n import DEFAULT_LOCALE, _, use_locale
from handlers.router import Command

MESSAGE_LIMIT = 4096  # characters of a message text (Telegram counts after parsing; HTML is longer, so safe)
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes


def split_html(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Render markup to Telegram HTML in chunks of at most ``limit`` characters, cutting at line ends when
    possible, then between spans, and inside a span's text only when a single span is longer than a chunk."""
    chunks: list[str] = []
    current = ""
    for pieces in _html_lines(text, limit):
        line = "".join(pieces)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        if len(line) <= limit:
            current = line
            continue
        packed = _pack(pieces, limit)
        chunks.extend(packed[:-1])
        current = packed[-1]
    if current or not chunks:
        chunks.append(current)
    return [c for c in chunks if c.strip()] or [""]


def _html_lines(text: str, limit: int) -> list[list[str]]:
    """Each source line as its HTML pieces (one per span, or more for a span longer than ``limit``)."""
    lines: list[list[markup.Span]] = [[]]
    for span in markup.parse(text):
        parts = span.text.split("\n")
        for i, part in enumerate(parts):
            if i:
                lines.append([])
            if part:
                lines[-1].append(_with_text(span, part))
    return [[p for span in spans for p in _span_pieces(span, limit)] for spans in lines]


def _with_text(span: markup.Span, text: str) -> markup.Span:
    return markup.Span(text, bold=span.bold, italic=span.italic, code=span.code, url=span.url)


def _span_pieces(span: markup.Span, limit: int) -> list[str]:
    """One span as HTML; a span too long for one message is cut into several, each with its own tags."""
    html = markup.span_html(span)
    if len(html) <= limit:
        return [html]
    overhead = len(markup.span_html(_with_text(span, "x"))) - 1
    room = max(1, limit - overhead)
    pieces: list[str] = []
    text = span.text
    while text:
        # Escaping can grow a character to 5 (&amp;): shrink the cut until the piece fits.
        size = min(len(text), room)
        while size > 1 and len(markup.span_html(_with_text(span, text[:size]))) > limit:
            size = max(1, size * 3 // 4)
        pieces.append(markup.span_html(_with_text(span, text[:size])))
        text = text[size:]
    return pieces


def _pack(pieces: list[str], limit: int) -> list[str]:
    chunks: list[str] = [""]
    for piece in pieces:
        if chunks[-1] and len(chunks[-1]) + len(piece) > limit:
            chunks.append("")
        chunks[-1] += piece
    return chunks


class ButtonPayloads:
    """Callback data is at most 64 bytes: short commands travel in the button, longer ones stay here.

    Long payloads live in memory (the newest ``capacity``); a press on one from before a restart gets a
    polite "expired" answer instead of running something else.

    PTB's ``arbitrary_callback_data`` would keep every button's data in its cache, short ones too, so without
    a persistence file every button sent before a restart (a reminder's "Done" from yesterday) would expire;
    here the short ones, nearly all of them, travel in the button and keep working.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._stored: OrderedDict[str, str] = OrderedDict()

    def encode(self, command: str) -> str:
        inline = "c:" + command
        if len(inline.encode()) <= CALLBACK_DATA_LIMIT:
            return inline
        key = secrets.token_urlsafe(12)
        self._stored[key] = command
        while len(self._stored) > self.capacity:
            self._stored.popitem(last=False)
        return "k:" + key

    def decode(self, data: str) -> str | None:
        """The command behind a button press, or None for a payload this process does not know."""
        if data.startswith("c:"):
            return data[2:]
        if data.startswith("k:"):
            return self._stored.get(data[2:])
        return None


def mention(user_id: str, name: str) -> str:
    """A markup link that Telegram shows as a mention (and that selective ForceReply targets)."""
    return markup.link(name, f"tg://user?id={user_id}")


def botfather_commands(commands: Iterable[Command], *, locale: str = DEFAULT_LOCALE) -> str:
    """The list to paste into BotFather's /setcommands: ``name - description``, one a line."""
    with use_locale(locale):
        return "".join(f"{c.name} - {menu_description(c)}\n" for c in commands)


def menu_description(command: Command) -> str:
    """Telegram allows 1–256 characters of description per command; in the current language."""
    return _(command.summary)[:256]


# .venv/bin/python -m bot.telegram.render > deploy/telegram-commands.txt
# .venv/bin/python -m bot.telegram.render ru > deploy/telegram-commands.ru.txt
if __name__ == "__main__":
    import sys

    import handlers  # noqa: F401  (registers the commands)
    from handlers.router import registry

    sys.stdout.write(botfather_commands(registry.all(), locale=(sys.argv[1:] or [DEFAULT_LOCALE])[0]))
