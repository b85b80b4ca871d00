"""Numbers, percentages, dates and times follow the team's locale (Babel); English replies keep ISO dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from babel.numbers import format_currency, format_decimal, get_currency_precision
from sqlmodel import select

from handlers import render
from handlers.dashboard import ticks
from handlers.i18n import babel_locale, use_locale
from handlers.review import quarter_label
from handlers.words import weekday_name
from storage.metrics.rounding import half_up
from storage.models import Team
from storage.periods import period_containing
from tests.helpers import say, text_of

BERLIN = ZoneInfo("Europe/Berlin")
NOV_16 = date(2026, 11, 16)


def shown(locale: str) -> list[str]:
    with use_locale(locale):
        return [
            render.number(12345), render.percent(75), render.percent(-3.6, signed=True),
            render.percent(1234, signed=True), render.decimal(4.25), render.signed(40), render.signed(-12),
            render.day(NOV_16), render.moment(datetime(2026, 11, 30, 9, 0, tzinfo=UTC), BERLIN), weekday_name(0),
            ticks([period_containing("week", NOV_16)])[0], ticks([period_containing("month", NOV_16)])[0],
            quarter_label(period_containing("quarter", NOV_16)),
        ]


def test_english_is_what_it_always_was():
    assert shown("en") == ["12,345", "75%", "-4%", "+1,234%", "4.3", "+40", "-12", "2026-11-16",
                           "2026-11-30 10:00", "Mon", "16\nNov", "Nov\n2026", "Q4 2026"]


def test_russian_uses_its_own_separators_dates_and_month_names():
    nbsp = "\xa0"
    assert shown("ru") == [f"12{nbsp}345", f"75{nbsp}%", f"-4{nbsp}%", f"+1{nbsp}234{nbsp}%", "4,3", "+40", "-12",
                           "16.11.2026", "30.11.2026, 10:00", "пн", "16\nнояб.", "нояб.\n2026", "4-й кв. 2026"]


@pytest.mark.parametrize("locale", ["xx", ""])
def test_an_unknown_locale_formats_as_english(locale):
    assert shown(locale) == shown("en")


def test_nothing_is_a_dash():
    with use_locale("ru"):
        assert {render.percent(None), render.decimal(None), render.signed(None), render.day(None)} == {render.DASH}


def test_a_russian_team_gets_its_dates_in_replies(router, db):
    say(router, '/log talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300')
    with db.session() as s:
        team = s.exec(select(Team)).one()
        team.locale = "ru"
        s.add(team)
    assert "доклад #1 Scaling Postgres @ HighLoad++, 20.11.2026" in text_of(say(router, "/show 1"))
    assert "(01.11.2026 – 26.11.2026)" in text_of(say(router, "/stats month"))


WHOLE = [0, 7, 999, 1000, 1500, 12345, 999999, 1234567, 10**15]
AMOUNTS = [Decimal("0"), Decimal("0.125"), Decimal("60"), Decimal("1500"), Decimal("999.995"), Decimal("1234567.891"),
           1500.5, 3, Decimal("-12.5")]


@pytest.mark.parametrize("locale", ["en", "ru", "xx"])
def test_numbers_and_money_read_exactly_as_babel_formats_them(locale):
    """render.number and render.money apply the locale's patterns without Babel on their common path (a
    whole number, an amount that is not negative): the text is Babel's, to the character."""
    with use_locale(locale):
        babel = babel_locale()
        for value in WHOLE:
            assert render.number(value) == format_decimal(value, locale=babel), value
        for code in ("USD", "EUR", "RUB", "JPY", "KWD", "CHF", "XYZ"):
            for amount in AMOUNTS:
                expected = format_currency(half_up(amount, get_currency_precision(code)), code, locale=babel)
                assert render.money(amount, code) == expected, (code, amount)
