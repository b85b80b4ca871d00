"""Hostile text made harmless: spreadsheet formulas in exported cells, bidirectional overrides in echoed
text, and control characters in what people type.

- A CSV cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to Excel,
  LibreOffice and Google Sheets; the OWASP recipe prefixes it with ``'`` so it shows as text.
- Bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C) let a title reorder the text
  around it ("gnp.exe" shown as "exe.png"); :func:`handlers.markup.parse`, where every renderer starts, removes
  them, and the doors strip them from button labels and poll options (:func:`handlers.markup.strip_bidi`).
- NUL and the other control characters (C0 except tab, newline and carriage return; DEL; C1) cannot be stored
  on PostgreSQL and are never meant in a chat message: a command carrying one is refused.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def first_control_char(text: str) -> str | None:
    """The first character of ``text`` that may not be stored (NUL and other control characters)."""
    found = _CONTROL.search(text)
    return found.group(0) if found else None


def drop_control_chars(text: str) -> str:
    """For text the platform gives us rather than the person types (a display name): keep what can be kept."""
    return _CONTROL.sub("", text)


def char_name(ch: str) -> str:
    """``U+0000`` — how a refusal names an invisible character."""
    return f"U+{ord(ch):04X}"


def csv_cell(value: object) -> object:
    """A value safe to write into an exported CSV cell: text that a spreadsheet would run as a formula gets
    the OWASP ``'`` prefix; numbers and everything else pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def uncsv_cell(text: str) -> str:
    """The reverse of :func:`csv_cell` for our own exports imported again: ``'=1+2`` is the title ``=1+2``."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text
