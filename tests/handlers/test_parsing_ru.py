"""The one-line grammar in Russian: kind words, metric keys, dates and money, in either language's team."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from handlers.errors import UserError
from handlers.parsing import parse_date, parse_log, parse_money
from storage.domain import Kind, Status

TODAY = date(2026, 12, 2)


def log(line: str):
    return parse_log(line, today=TODAY, default_currency="RUB")


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("доклад", Kind.TALK), ("выступление", Kind.TALK), ("митап", Kind.EVENT), ("воркшоп", Kind.EVENT),
        ("хакатон", Kind.EVENT), ("стенд", Kind.PARTNERSHIP), ("партнёрство", Kind.PARTNERSHIP),
        ("статья", Kind.PUBLICATION), ("пост", Kind.PUBLICATION), ("видео", Kind.PUBLICATION),
        ("публикация", Kind.PUBLICATION), ("твит", Kind.SOCIAL), ("Доклад", Kind.TALK),
    ],
)
def test_russian_kind_words(word, kind):
    assert log(f'{word} "Масштабируем Postgres"').kind is kind


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("сегодня", date(2026, 12, 2)), ("вчера", date(2026, 12, 1)), ("завтра", date(2026, 12, 3)),
        ("20 ноября", date(2026, 11, 20)), ("20 ноя 2026", date(2026, 11, 20)), ("20.11", date(2026, 11, 20)),
        ("20 нояб. 2026", date(2026, 11, 20)), ("3 марта 2027", date(2027, 3, 3)), ("20 Nov 2026", date(2026, 11, 20)),
        # Without a year: the nearest such day — January next year, not eleven months ago.
        ("15.01", date(2027, 1, 15)), ("15 января", date(2027, 1, 15)),
    ],
)
def test_russian_dates(word, expected):
    assert log(f'доклад "Kafka" @ HighLoad++ {word}').fields.on == expected
    assert parse_date(word, today=TODAY) == expected


def test_a_relative_day_ends_the_venue_instead_of_joining_it():
    command = log("доклад Kafka @ HighLoad++ вчера аудитория=300")

    assert command.fields.venue == "HighLoad++"
    assert command.fields.on == date(2026, 12, 1)
    assert command.fields.values == {"audience": 300}


def test_a_word_date_ends_an_unquoted_title_and_venue():
    command = log("митап Go Meetup 3 @ Офис Авито 20 ноября 2026 аудитория=80")

    assert command.title == "Go Meetup 3"
    assert command.fields.venue == "Офис Авито"
    assert command.fields.on == date(2026, 11, 20)


@pytest.mark.parametrize("bad", ["20/11", "32.11", "20 ноябрь 2026x", "31 февраля", "2026.13.01", "20 нобяря"])
def test_a_date_that_does_not_parse_is_refused_not_folded_into_the_venue(bad):
    with pytest.raises(UserError) as refused:
        log(f"доклад Kafka @ HighLoad++ {bad}")

    assert refused.value.example  # with an example to copy


def test_russian_metric_keys():
    command = log(
        'статья "Почему Kafka" @ Хабр 20.11 просмотры=12к лайки=140 репосты=12 комментарии=30 '
        "целевые_действия=45 контакты=7 стоимость=1500₽ подписчики=20"
    )

    assert command.fields.values == {
        "views": 12000, "likes": 140, "shares": 12, "comments": 30, "target_actions": 45, "contacts": 7,
        "subscribers": 20, "cost": Decimal("1500.00"), "currency": "RUB",
    }
    assert command.fields.venue == "Хабр"


def test_russian_text_keys_and_status():
    command = parse_log(
        'доклад "Kafka" место="Конгресс-холл" дата=вчера статус=запланировано ссылка=https://example.org',
        today=TODAY,
        default_currency="USD",
    )

    assert command.fields.venue == "Конгресс-холл"
    assert command.fields.on == date(2026, 12, 1)
    assert command.fields.status is Status.PLANNED
    assert command.fields.url == "https://example.org"


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("1500₽", "1500", "RUB"), ("1500 руб", "1500", "RUB"), ("1 500 руб", "1500", "RUB"),
        ("1500р", "1500", "RUB"), ("€200", "200", "EUR"), ("$1.5k", "1500", "USD"), ("2.5kEUR", "2500", "EUR"),
        ("1500mxn", "1500", "MXN"), ("300", "300", "RUB"), ("10 000 рублей", "10000", "RUB"),
    ],
)
def test_money_in_either_language(text, amount, currency):
    expected = (Decimal(amount).quantize(Decimal("0.01")), currency)
    assert parse_money(text, default_currency="RUB", example="") == expected


def test_spaced_money_and_counts_on_the_line():
    command = log("доклад Kafka @ HighLoad++ вчера аудитория=1 500 стоимость=150 000 руб контакты=25")

    assert command.fields.values == {
        "audience": 1500, "cost": Decimal("150000.00"), "currency": "RUB", "contacts": 25,
    }


@pytest.mark.parametrize("bad", ["стоимость=1500 тугриков", "стоимость=$200₽", "стоимость=1500xyz"])
def test_bad_money_is_refused(bad):
    with pytest.raises(UserError):
        log(f"доклад Kafka {bad}")


def test_errors_in_a_russian_team_name_kinds_keys_and_places_in_russian():
    from handlers.i18n import use_locale

    with use_locale("ru"):
        with pytest.raises(UserError) as not_for_talk:
            log("доклад Kafka участники=5")
        with pytest.raises(UserError) as unknown:
            log("доклад Kafka зрителей=5")
        with pytest.raises(UserError) as no_place:
            log("статья Kafka @")
        with pytest.raises(UserError) as twice:
            log("доклад Kafka вчера дата=сегодня")

    assert "участники (участники активностей и конкурсов) не считается для вида «доклад»" in not_for_talk.value.message
    assert "партнёрство" in not_for_talk.value.message and "аудитория, целевые_действия" in not_for_talk.value.message
    assert "Для вида «доклад» есть ключи: аудитория" in unknown.value.message and "место, дата" in unknown.value.message
    assert "укажите издание" in no_place.value.message
    assert twice.value.message.startswith("дата: указано дважды")


def test_the_same_words_work_in_an_english_team_and_errors_follow_the_team_language():
    from handlers.i18n import use_locale

    with use_locale("en"):
        assert log("доклад Kafka вчера").kind is Kind.TALK
        with pytest.raises(UserError) as english:
            log("доклад Kafka 20/11")
    with use_locale("ru"):
        with pytest.raises(UserError) as russian:
            log("доклад Kafka 20/11")

    assert "not a date" in english.value.message
    assert "не похоже на дату" in russian.value.message
