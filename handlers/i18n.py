"""Every user-facing string goes through ``_`` (gettext; catalogs built with Babel's pybabel).

The active locale is a context variable set per dispatch from the team's setting, so a handler never
passes a locale around. English is the source language; other catalogs live in ``locale/<lang>/``.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError

DOMAIN = "devrelbot"
LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LOCALE = "en"
# The languages a team can choose; each but English has a catalog in locale/<lang>/LC_MESSAGES.
LOCALES: tuple[str, ...] = ("en", "ru")

_current_locale: ContextVar[str] = ContextVar("devrelbot_locale", default=DEFAULT_LOCALE)


@lru_cache(maxsize=16)
def _translations(locale: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[locale], fallback=True)


def _(message: str) -> str:
    return _translations(_current_locale.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations(_current_locale.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A word that reads differently in one place (a CSV column): ``context`` tells the two apart."""
    return _translations(_current_locale.get()).pgettext(context, message)


def N_(message: str) -> str:
    """Marks a string for the catalog where it is defined; it is translated with ``_`` where it is shown."""
    return message


def supported_locale(tag: str | None) -> str | None:
    """A platform's language tag (Telegram ``ru``, Slack ``ru-RU``, ``en_US``) → one of :data:`LOCALES`, or None."""
    if not tag:
        return None
    language = tag.replace("_", "-").split("-", 1)[0].strip().lower()
    return language if language in LOCALES else None


def current_locale() -> str:
    return _current_locale.get()


def babel_locale() -> Locale:
    """The current locale as Babel's, for dates, numbers and names; an unknown one formats as English, as ``_``
    translates nothing in it."""
    return babel_locale_of(_current_locale.get())


@lru_cache(maxsize=16)
def babel_locale_of(name: str) -> Locale:
    """:func:`babel_locale` for the locale ``name``."""
    try:
        return Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT_LOCALE)


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    token = _current_locale.set(locale or DEFAULT_LOCALE)
    try:
        yield
    finally:
        _current_locale.reset(token)
