"""Telegram rendering that needs no PTB: HTML split under the size limit, the command list.

Rendering itself is :func:`handlers.markup.to_html`; this module only decides where to cut. Every piece it
renders is one markup span (bold, italic, code, link or plain) on one line, and each such piece renders to
balanced HTML, so a cut between pieces never breaks a tag.
"""

from __future__ import annotations

from collections.abc import Iterable

from handlers import markup
from handlers.i18n import DEFAULT_LOCALE, _, use_locale
from handlers.router import Command

MESSAGE_LIMIT = 4096  # characters of a message text (Telegram counts after parsing; HTML is longer, so safe)
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes of a button's callback_data (bot.telegram.buttons)


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
