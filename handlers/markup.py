"""The one small markup every Reply uses, and its renderers.

Syntax: ``*bold*``, ``_italic_``, ```code```, ``[label](https://url)``; a line starting with ``• `` is a
bullet. A backslash escapes the next character. Handlers pass every piece of user text through
:func:`escape`, so a title like ``<b>*x*_y_</b>`` comes through exactly on every platform.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

_SPECIAL = set("\\*_`[]")
# Bidirectional controls: LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI, PDI; LRM, RLM; ALM. A title carrying one
# could reorder the bot's own words around it, so no renderer lets them through (handlers.safe_text).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_NO_BIDI = dict.fromkeys(map(ord, BIDI_CONTROLS))


def strip_bidi(text: str) -> str:
    """``text`` without bidirectional control characters (for labels and poll options the doors draw as
    they are; markup text loses them in :func:`parse`)."""
    return text.translate(_NO_BIDI)


_ESCAPED = {ord(ch): "\\" + ch for ch in _SPECIAL}


def escape(text: str) -> str:
    """Make user text literal inside markup."""
    return text.translate(_ESCAPED)


def bold(text: str) -> str:
    return f"*{escape(text)}*"


def italic(text: str) -> str:
    return f"_{escape(text)}_"


def code(text: str) -> str:
    return f"`{escape(text)}`"


def link(label: str, url: str) -> str:
    # A ")" inside the URL (https://x/[a](b)) would end the link early: escape it too.
    target = escape(url).replace(")", "\\)")
    return f"[{escape(label)}]({target})"


@dataclass(frozen=True)
class Span:
    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    url: str | None = None


def parse(text: str) -> list[Span]:
    """Turn markup into spans. Never raises: an unclosed marker is treated as a literal character.

    Every renderer starts here, so bidirectional controls (a title with U+202E reversing what follows it)
    are removed here, once, for every platform."""
    text = strip_bidi(text)
    spans: list[Span] = []
    i, n = 0, len(text)
    buf: list[str] = []
    is_bold = is_italic = False

    def flush() -> None:
        if buf:
            spans.append(Span("".join(buf), bold=is_bold, italic=is_italic))
            buf.clear()

    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            buf.append(text[i + 1])
            i += 2
        elif ch == "`":
            end, body = _read_until(text, i + 1, "`")
            if end is None:
                buf.append(ch)
                i += 1
            else:
                flush()
                spans.append(Span(body, bold=is_bold, italic=is_italic, code=True))
                i = end + 1
        elif ch == "[":
            parsed = _read_link(text, i)
            if parsed is None:
                buf.append(ch)
                i += 1
            else:
                end, label, url = parsed
                flush()
                spans.append(Span(label, bold=is_bold, italic=is_italic, url=url))
                i = end
        elif ch == "*" and (is_bold or _closes(text, i + 1, "*")):
            flush()
            is_bold = not is_bold
            i += 1
        elif ch == "_" and (is_italic or _closes(text, i + 1, "_")):
            flush()
            is_italic = not is_italic
            i += 1
        else:
            buf.append(ch)
            i += 1
    flush()
    return spans


def _read_until(text: str, start: int, stop: str) -> tuple[int | None, str]:
    out: list[str] = []
    i = start
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if ch == stop:
            return i, "".join(out)
        if ch == "\n" and stop != "\n":
            return None, ""
        out.append(ch)
        i += 1
    return None, ""


def _read_link(text: str, start: int) -> tuple[int, str, str] | None:
    close, label = _read_until(text, start + 1, "]")
    if close is None or not text.startswith("(", close + 1):
        return None
    end, url = _read_until(text, close + 2, ")")
    if end is None:
        return None
    return end + 1, label, url


def _closes(text: str, start: int, marker: str) -> bool:
    """True when an unescaped ``marker`` follows on the same line: only then is this one an opener."""
    end, _ = _read_until(text, start, marker)
    return end is not None


def to_plain(text: str) -> str:
    """Console and notification text: markers dropped, links shown as 'label (url)'."""
    parts = []
    for s in parse(text):
        parts.append(f"{s.text} ({s.url})" if s.url and s.url != s.text else s.text)
    return "".join(parts)


def to_html(text: str) -> str:
    """Telegram's HTML parse mode: only <b>, <i>, <code>, <a>, with everything else escaped."""
    return "".join(span_html(s) for s in parse(text))


def span_html(span: Span) -> str:
    """One span in Telegram's HTML (a door splitting long text cuts between or inside spans with it)."""
    piece = html.escape(span.text, quote=False)
    if span.code:
        piece = f"<code>{piece}</code>"
    if span.url:
        piece = f'<a href="{html.escape(span.url, quote=True)}">{piece}</a>'
    if span.italic:
        piece = f"<i>{piece}</i>"
    if span.bold:
        piece = f"<b>{piece}</b>"
    return piece


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_slack(text: str) -> str:
    """Slack mrkdwn: &, < and > escaped as Slack asks; styles mapped to Slack's single markers."""
    out: list[str] = []
    for s in parse(text):
        piece = _slack_escape(s.text)
        if s.code:
            piece = f"`{piece}`"
        if s.url:
            # "|" ends the URL in Slack's <url|label>: percent-encode it, as a browser would.
            piece = f"<{_slack_escape(s.url).replace('|', '%7C')}|{piece.replace('|', '¦')}>"
        if s.italic:
            piece = f"_{piece}_"
        if s.bold:
            piece = f"*{piece}*"
        out.append(piece)
    return "".join(out)
