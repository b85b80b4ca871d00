"""A count meets its noun through ngettext: "1 detractor", "1 day"; Russian picks among its three forms."""

from __future__ import annotations

from decimal import Decimal

import pytest

from handlers.feedback_results import nps_text
from handlers.i18n import ngettext, use_locale
from handlers.metric_text import cost_text, hiring_text
from storage.metrics.cost import CostPerContact
from storage.metrics.hiring import HiringInfluence
from storage.metrics.scores import NpsResult
from tests.helpers import incoming, say, text_of


def test_one_of_each_reads_singular_in_english():
    with use_locale("en"):
        assert nps_text(NpsResult(0.0, 1, 1, 1)) == "+0 (1 promoter, 1 passive, 1 detractor; 3 answers)"
        assert ngettext("Coming up in {days} day ({due}): {what}", "Coming up in {days} days ({due}): {what}",
                        1).format(days=1, due="2026-12-01", what="x") == "Coming up in 1 day (2026-12-01): x"
        assert ngettext("Imported {n} plan item.", "Imported {n} plan items.", 1).format(n=1) == "Imported 1 plan item."


@pytest.mark.parametrize(("n", "word"), [(1, "критик"), (2, "критика"), (5, "критиков"), (11, "критиков"),
                                         (21, "критик")])
def test_russian_has_three_plural_forms(n, word):
    with use_locale("ru"):
        assert f"{n} {word}" in nps_text(NpsResult(-100.0, 0, 0, n))


def test_russian_money_and_shares_read_russian():
    figure = CostPerContact(currency="RUB", cost=Decimal(1500), contacts=25, all_contacts=30)
    with use_locale("ru"):
        assert cost_text([figure]) == "60,00\xa0₽ (по 25 из 30 контактов с затратами)"
        assert hiring_text(HiringInfluence(yes=1, partly=1, answered=3, surveyed=4)) == \
            "67\xa0% (2 из 3 ответивших; 4 опрошенных)"


def test_a_russian_team_reads_cost_per_contact_in_rubles_everywhere(router):
    say(router, "/settings language=ru")
    say(router, '/log доклад "Т" @ Конф 24.11.2026 аудитория=300 контакты=25 стоимость=1500₽')
    assert "стоимость контакта 60,00\xa0₽" in text_of(say(router, "/show 1"))
    assert "• стоимость контакта: 60,00\xa0₽ (было —)" in text_of(say(router, "/stats"))
    report = text_of(router.dispatch(incoming("/report week"))[0])
    assert "стоимость контакта 60,00\xa0₽" in report
    assert "RUB" not in report
