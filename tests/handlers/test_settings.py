"""/settings: everyone sees the team's time zone and currency; only admins change them, strictly validated."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Activity
from tests.helpers import ALICE, BOB, say, team_of, text_of


def test_settings_shows_time_zone_and_currency(router):
    reply = say(router, "/settings")

    assert reply.ephemeral and not reply.is_error
    assert "time zone: UTC" in text_of(reply)
    assert "currency: USD" in text_of(reply)


def test_admin_changes_time_zone_and_currency(router, db):
    reply = say(router, "/settings timezone=Europe/Berlin currency=eur", user=ALICE)

    assert not reply.is_error
    assert "Europe/Berlin" in text_of(reply) and "EUR" in text_of(reply)
    assert (team_of(db).timezone, team_of(db).currency) == ("Europe/Berlin", "EUR")


def test_new_currency_is_the_default_for_costs(router, db):
    say(router, "/settings currency=EUR")
    say(router, '/log talk "Kafka" @ Conf today cost=100')

    with db.session() as s:
        assert s.exec(select(Activity)).one().currency == "EUR"


def test_non_admin_cannot_change_settings(router, db):
    say(router, "/settings", user=ALICE)  # alice: an admin, as the platform says
    reply = say(router, "/settings timezone=Asia/Tokyo", user=BOB)

    assert reply.is_error and reply.ephemeral
    assert "admin" in text_of(reply)
    assert team_of(db).timezone == "UTC"


def test_non_admin_may_look(router):
    say(router, "/settings", user=ALICE)
    reply = say(router, "/settings", user=BOB)

    assert not reply.is_error
    assert "time zone: UTC" in text_of(reply)


def test_unknown_time_zone_is_rejected_with_an_example(router, db):
    say(router, "/settings")  # the team exists (a refused command alone would leave nothing at all)
    reply = say(router, "/settings timezone=Mars/Olympus currency=EUR")

    assert reply.is_error
    assert "Mars/Olympus" in text_of(reply)
    assert "Example: /settings timezone=Europe/Berlin currency=EUR" in text_of(reply)
    assert (team_of(db).timezone, team_of(db).currency) == ("UTC", "USD")  # nothing half-applied


def test_bad_currency_and_unknown_key_are_rejected(router, db):
    say(router, "/settings")  # the team exists (a refused command alone would leave nothing at all)
    bad_currency = say(router, "/settings currency=EURO")
    unknown_key = say(router, "/settings colour=blue")
    twice = say(router, "/settings currency=EUR currency=USD")

    assert "EURO" in text_of(bad_currency) and bad_currency.is_error
    assert "colour=blue" in text_of(unknown_key) and unknown_key.is_error
    assert "twice" in text_of(twice) and twice.is_error
    assert team_of(db).currency == "USD"


def test_an_admin_sets_the_team_language_and_the_answer_is_in_it_at_once(router, db):
    reply = say(router, "/settings language=ru", user=ALICE)

    assert not reply.is_error
    assert team_of(db).locale == "ru"
    assert "ru" in text_of(reply)
    assert say(router, "/settings язык=английский", user=ALICE).is_error is False
    assert team_of(db).locale == "en"


def test_only_an_admin_sets_the_language_and_only_one_the_bot_speaks(router, db):
    say(router, "/settings", user=ALICE)  # alice: an admin, as the platform says

    refused = say(router, "/settings language=ru", user=BOB)
    unknown = say(router, "/settings language=de", user=ALICE)

    assert refused.is_error and unknown.is_error
    assert "“de”" in text_of(unknown) and "/settings language=ru" in text_of(unknown)
    assert team_of(db).locale == "en"


def test_a_new_team_speaks_the_default_language(db, clock):
    from handlers.router import Router

    say(Router(db, default_language="ru", clock=clock), "/settings")

    assert team_of(db).locale == "ru"
