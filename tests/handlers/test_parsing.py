from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.errors import IncompleteCommand, UserError
from handlers.parsing import (
    LogCommand,
    parse_count,
    parse_date,
    parse_log,
    parse_money,
    tokenize,
)
from storage.domain import Kind, Status

TODAY = date(2026, 11, 26)


def log(args: str) -> LogCommand:
    return parse_log(args, today=TODAY, default_currency="EUR")


def test_the_readme_example_parses_into_every_field():
    cmd = log('talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300 contacts=25 cost=1500 #backend #dba')
    assert cmd.kind is Kind.TALK
    assert cmd.title == "Scaling Postgres"
    assert cmd.fields.venue == "HighLoad++"
    assert cmd.fields.on == date(2026, 11, 20)
    assert cmd.fields.values == {"audience": 300, "contacts": 25, "cost": Decimal("1500.00"), "currency": "EUR"}
    assert cmd.fields.tags == ["backend", "dba"]


def test_unquoted_title_runs_to_the_first_other_token():
    cmd = log("meetup Go Meetup number 3 @ Big Office yesterday audience=80")
    assert cmd.kind is Kind.EVENT
    assert cmd.title == "Go Meetup number 3"
    assert cmd.fields.venue == "Big Office"
    assert cmd.fields.on == date(2026, 11, 25)


@pytest.mark.parametrize(
    ("alias", "kind"),
    [("meetup", Kind.EVENT), ("workshop", Kind.EVENT), ("post", Kind.PUBLICATION), ("article", Kind.PUBLICATION),
     ("video", Kind.PUBLICATION), ("tweet", Kind.SOCIAL), ("booth", Kind.PARTNERSHIP), ("TALK", Kind.TALK)],
)
def test_kind_aliases(alias, kind):
    assert log(f'{alias} "X"').kind is kind


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("300", 300), ("12k", 12_000), ("1.5k", 1_500), ("1,5k", 1_500), ("2m", 2_000_000), ("15_000", 15_000)],
)
def test_counts(raw, expected):
    assert parse_count("views", raw, example="") == expected


@pytest.mark.parametrize(
    ("raw", "amount", "currency"),
    [("1500", "1500.00", "EUR"), ("1500usd", "1500.00", "USD"), ("90000RUB", "90000.00", "RUB"),
     ("$200", "200.00", "USD"), ("2.5k€", "2500.00", "EUR"), ("99.99", "99.99", "EUR")],
)
def test_money(raw, amount, currency):
    assert parse_money(raw, default_currency="EUR", example="") == (Decimal(amount), currency)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12,000", 12_000), ("12 000", 12_000), ("12\u00a0000", 12_000), ("12\u202f000", 12_000),
     ("1,500,000", 1_500_000), ("2 500 000", 2_500_000), ("1,25k", 1_250)],
)
def test_counts_with_thousands_separators(raw, expected):
    assert parse_count("views", raw, example="") == expected


@pytest.mark.parametrize(
    ("raw", "amount", "currency"),
    [("$1,500", "1500.00", "USD"), ("1,500.50", "1500.50", "EUR"), ("€12 000", "12000.00", "EUR"),
     ("1 500,50", "1500.50", "EUR"), ("1,500usd", "1500.00", "USD"), ("1,5k", "1500.00", "EUR")],
)
def test_money_with_thousands_separators(raw, amount, currency):
    assert parse_money(raw, default_currency="EUR", example="") == (Decimal(amount), currency)


@pytest.mark.parametrize("raw", ["1,50", "12,00", "1,500k", "12.000", "$1.500", "1,5"])
def test_an_ambiguous_separator_is_refused_with_an_example_never_guessed(raw):
    with pytest.raises(UserError) as info:
        parse_money(raw, default_currency="EUR", example="/log talk \"X\" cost=1,500")
    assert "ambiguous" in info.value.message and raw in info.value.message
    assert info.value.example == "/log talk \"X\" cost=1,500"
    assert info.value.field == "cost"


def test_a_number_grouped_by_spaces_is_one_value_on_the_log_line():
    cmd = log('post "X" @ Habr views=12 000 likes=1\u00a0200 2026-11-20 cost=1 500 #backend')
    assert cmd.fields.values["views"] == 12_000
    assert cmd.fields.values["likes"] == 1_200
    assert cmd.fields.values["cost"] == Decimal("1500.00")
    assert cmd.fields.on == date(2026, 11, 20) and cmd.fields.tags == ["backend"]


def test_the_figures_the_bot_prints_read_back_as_the_same_figures():
    cmd = log('booth "Booth" @ DevConf participants=12,000 contacts=1,234 cost=$1,500.00')
    assert cmd.fields.values["participants"] == 12_000
    assert cmd.fields.values["contacts"] == 1_234
    assert (cmd.fields.values["cost"], cmd.fields.values["currency"]) == (Decimal("1500.00"), "USD")


@pytest.mark.parametrize(
    ("word", "expected"),
    [("2026-11-20", date(2026, 11, 20)), ("20.11.2026", date(2026, 11, 20)), ("today", TODAY),
     ("Yesterday", date(2026, 11, 25)), ("tomorrow", date(2026, 11, 27)), ("2026-1-5", date(2026, 1, 5))],
)
def test_dates(word, expected):
    assert parse_date(word, today=TODAY) == expected


def test_quotes_of_every_kind_make_one_token():
    tokens = tokenize("«Как мы считаем DevRel» 'single one' notes=\"a b c\" “curly one”")
    assert [t.text for t in tokens] == ["Как мы считаем DevRel", "single one", "notes=a b c", "curly one"]
    assert all(t.quoted for t in tokens)


def test_apostrophes_inside_an_unquoted_title_are_kept():
    assert log("post Let's talk about Go @ Habr").title == "Let's talk about Go"


def test_key_value_with_quoted_value():
    cmd = log('talk "X" notes="met three CTOs" venue="Main hall"')
    assert cmd.fields.notes == "met three CTOs"
    assert cmd.fields.venue == "Main hall"


def test_status_key_and_url():
    cmd = log('talk "X" 2026-12-10 status=cancelled https://example.com/talk?id=1')
    assert cmd.fields.status is Status.CANCELLED
    assert cmd.fields.url == "https://example.com/talk?id=1"


def test_missing_title_asks_for_a_form():
    with pytest.raises(IncompleteCommand) as info:
        log("talk")
    assert info.value.known == {"kind": "talk"}


def test_errors_name_the_field_at_fault():
    with pytest.raises(UserError) as info:
        log('post "X" views=lots')
    assert info.value.field == "views"
    assert "lots" in info.value.message


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=120))
def test_parse_log_never_raises_anything_but_a_user_error(text):
    try:
        result = log(text)
    except UserError as error:
        assert error.message
        assert error.example
    else:
        assert isinstance(result, LogCommand)
        assert 0 < len(result.title) <= 200


_pieces = st.sampled_from([
    "talk", "post", "meetup", '"', "'", "«", "»", "@", "@ ", "#", "#tag", "=", "views=", "audience=12k",
    "cost=", "cost=5usd", "2026-11-20", "31.02.2026", "today", "https://x.io", "-5", "1.5k", " ", "  ",
    "status=", "rating=4.5", "nps=-20", "title=", "\n", "\\", "0", "k", "1e9",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(_pieces, max_size=14).map("".join))
def test_parse_log_on_grammar_shaped_noise_never_raises_anything_but_a_user_error(text):
    try:
        log(text)
    except UserError as error:
        assert error.message
