"""How activities and numbers read in replies. Markup per handlers.markup; user text always escaped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import (
    format_compact_decimal,
    format_currency,
    format_decimal,
    format_percent,
    get_currency_precision,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
)

from handlers import markup
from handlers.i18n import _, babel_locale, babel_locale_of, current_locale
from handlers.words import kind_name, metric_name, purpose_name, status_name
from storage.domain import METRICS, Kind
from storage.metrics.activity import engagement, reach
from storage.metrics.cost import cost_per_contact
from storage.metrics.rounding import half_up
from storage.models import Activity

DASH = "—"


def number(value: int | float | Decimal | None) -> str:
    if value is None:
        return DASH
    if type(value) is int and value >= 0:
        plain = _plain(current_locale())
        if plain is not None:
            return plain.whole(value)
    return format_decimal(value, locale=babel_locale())


def compact(value: int | float) -> str:
    """1.2M, not 1200000 (charts and tight lists)."""
    return format_compact_decimal(value, format_type="short", fraction_digits=1, locale=babel_locale())


def money(amount: Decimal | float | None, currency: str | None) -> str:
    """``$1,500.00``, ``150 000,00 ₽``: the locale's currency format, rounded half-up to the currency's digits."""
    if amount is None:
        return DASH
    code = currency or "USD"
    digits = get_currency_precision(code)
    rounded = half_up(amount, digits)
    if rounded >= 0:
        plain = _plain(current_locale())
        if plain is not None:
            return plain.money(rounded, code, digits)
    return format_currency(rounded, code, locale=babel_locale())


@dataclass(frozen=True)
class _PlainPatterns:
    """A locale's standard decimal and currency patterns applied without Babel's lookups on every call, which
    were a fifth of a /log's CPU (each call resolves the pattern and each number symbol through the locale's data
    again). Only for patterns this reproduces exactly — digits grouped by three, no scale, exponent, significant
    digits or quoted text — and for values that are not negative; anything else goes to Babel. Read from Babel
    once per locale (:func:`_plain`); tests/handlers/test_render.py holds the two to the same text."""

    group: str
    decimal: str
    currency_prefix: str
    currency_suffix: str
    locale: Locale

    def whole(self, value: int) -> str:
        """``format_decimal(value)`` for a whole number: its digits grouped by three."""
        return format(value, ",").replace(",", self.group)

    def money(self, amount: Decimal, code: str, digits: int) -> str:
        """``format_currency(amount, code)`` for an amount already rounded to the currency's ``digits``."""
        grouped = format(amount, f",.{digits}f").translate({ord(","): self.group, ord("."): self.decimal})
        symbol = _currency_symbol(code, self.locale)
        return f"{self.currency_prefix.replace('¤', symbol)}{grouped}{self.currency_suffix.replace('¤', symbol)}"


@lru_cache(maxsize=16)
def _plain(name: str) -> _PlainPatterns | None:
    locale = babel_locale_of(name)
    numbers, money = locale.decimal_formats[None], locale.currency_formats["standard"]
    for pattern in (numbers, money):
        if (pattern.grouping != (3, 3) or pattern.int_prec[0] != 1 or pattern.scale or pattern.exp_prec
                or "@" in pattern.pattern or "'" in "".join((*pattern.prefix, *pattern.suffix))):
            return None
    if numbers.prefix[0] or numbers.suffix[0] or numbers.frac_prec[0]:
        return None
    if "¤¤" in money.prefix[0] + money.suffix[0]:
        return None
    return _PlainPatterns(group=get_group_symbol(locale), decimal=get_decimal_symbol(locale),
                          currency_prefix=money.prefix[0], currency_suffix=money.suffix[0], locale=locale)


@lru_cache(maxsize=256)
def _currency_symbol(code: str, locale: Locale) -> str:
    return get_currency_symbol(code, locale)


def whole(value: float) -> Decimal:
    """Rounded half-up to a whole number (Babel would round half-even: 62.5 → 62)."""
    return half_up(value)


def percent(value: float | None, *, signed: bool = False) -> str:
    """``75%`` (``75 %`` in Russian); ``signed``: ``+12%`` / ``-4%``. ``value`` is in percent, not a fraction."""
    if value is None:
        return DASH
    locale = babel_locale()
    pattern = locale.percent_formats[None].pattern
    return format_percent(half_up(value) / 100, format=f"+{pattern};-{pattern}" if signed else pattern,
                          locale=locale)


def decimal(value: float | None, *, digits: int = 1) -> str:
    """A rating: ``4.3`` (``4,3`` in Russian)."""
    if value is None:
        return DASH
    return format_decimal(half_up(value, digits), format="0." + "0" * digits if digits else "0",
                          locale=babel_locale())


def signed(value: float | None) -> str:
    """A score that may be negative, always with its sign: ``+40``, ``-12`` (an NPS)."""
    if value is None:
        return DASH
    return format_decimal(half_up(value), format="+#,##0;-#,##0", locale=babel_locale())


# Dates and times as replies show them. English keeps ISO dates — the form /log reads first, and one no reader
# misreads; other languages get their own short form from CLDR (16.11.2026 in Russian).
_DAY_PATTERNS = {"en": "yyyy-MM-dd"}
_MOMENT_PATTERNS = {"en": "yyyy-MM-dd HH:mm"}


def day(value: date | None) -> str:
    if value is None:
        return DASH
    locale = babel_locale()
    return format_date(value, _DAY_PATTERNS.get(locale.language, "short"), locale=locale)


def moment(value: datetime, zone: tzinfo) -> str:
    """A point in time on the team's clock: ``2026-11-30 10:00``."""
    locale = babel_locale()
    return format_datetime(value, _MOMENT_PATTERNS.get(locale.language, "short"), tzinfo=zone, locale=locale)


def headline(activity: Activity) -> str:
    """``*talk #42* Scaling Postgres — @ HighLoad++, 2026-11-20``"""
    where = f" @ {markup.escape(activity.venue)}" if activity.venue else ""
    status = "" if activity.status == "done" else f" · {markup.italic(status_name(activity.status))}"
    return (
        f"{markup.bold(f'{kind_name(activity.kind)} #{activity.id}')} {markup.escape(activity.title)}{where}, "
        f"{day(activity.date)}{status}"
    )


def derived_line(activity: Activity) -> str:
    parts = [_("reach {n}").format(n=number(reach(activity)))]
    if Kind(activity.kind) in (Kind.PUBLICATION, Kind.SOCIAL):
        parts.append(_("engagement {n}").format(n=number(engagement(activity))))
    if activity.cost is not None or activity.contacts:
        per_contact = cost_per_contact([activity], default_currency=activity.currency or "USD")
        shown = money(per_contact[0].value, per_contact[0].currency) if per_contact else DASH
        parts.append(_("cost per contact {v}").format(v=shown))
    return " · ".join(parts)


def metric_lines(activity: Activity) -> list[str]:
    lines = []
    for name in METRICS:
        value = getattr(activity, name)
        if value is None:
            continue
        shown = money(value, activity.currency) if name == "cost" else number(value)
        lines.append(f"• {metric_name(name)}: {shown}")
    return lines


def details(activity: Activity, *, tags: list[str], owner: str | None) -> str:
    """The activity as a reply shows it; ``owner``: the owner's display name."""
    lines = [headline(activity)]
    lines.extend(metric_lines(activity))
    lines.append(derived_line(activity))
    extras = []
    if owner is not None:
        extras.append(_("owner: {name}").format(name=markup.escape(owner)))
    if tags:
        extras.append(" ".join(markup.escape(f"#{t}") for t in tags))
    if activity.purpose:
        extras.append(_("purpose: {purpose}").format(purpose=purpose_word(activity.purpose)))
    if extras:
        lines.append(" · ".join(extras))
    if activity.url:
        lines.append(markup.link(activity.url, activity.url))
    if activity.notes:
        lines.append(_("notes: {notes}").format(notes=markup.escape(activity.notes)))
    return "\n".join(lines)


def purpose_word(purpose: str) -> str:
    return purpose_name(purpose)


def conversion(share: float | None) -> str:
    """A conversion rate, rounded half-up with the digits a small rate needs: 30%, 7.1%, 0.15%."""
    if share is None:
        return DASH
    value = Decimal(str(100 * share))
    if value == 0:
        return "0%"
    # Two significant digits below 1% (0.15%, 0.00078%), so a small rate never reads as zero.
    digits = Decimal("1") if value >= 10 else Decimal("0.1") if value >= 1 else Decimal(1).scaleb(value.adjusted() - 1)
    return f"{value.quantize(digits, rounding=ROUND_HALF_UP)}%"
