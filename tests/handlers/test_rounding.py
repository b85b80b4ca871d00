"""Every displayed figure rounds half-up (4.25 → 4.3, 62.5 → 63), not Python's or Babel's half-even."""

from __future__ import annotations

from decimal import Decimal

from handlers import render
from handlers.chart import Panel
from handlers.dashboard import level_change
from handlers.goal_text import value_text
from handlers.i18n import use_locale
from handlers.metric_text import cost_text, share_text
from storage.metrics.cost import CostPerContact


def test_replies_round_half_up():
    with use_locale("en"):
        assert (render.decimal(4.25), render.decimal(4.35), render.signed(62.5), render.percent(62.5)) == (
            "4.3", "4.4", "+63", "63%")
        assert render.money(Decimal("0.125"), "USD") == "$0.13"
        assert share_text(5 / 8) == "63%"
        assert cost_text([CostPerContact("EUR", Decimal("0.25"), 2, 2)]) == "€0.13"  # 0.125 a contact


def test_goals_and_the_chart_round_half_up():
    with use_locale("en"):
        assert (value_text("rating", 4.25), value_text("nps", 62.5), value_text("nps", -62.5)) == (
            "4.3", "+63", "-63")
        assert level_change("nps", 62.5, 0.0, previous_word="vs previous week")[0] == "▲ 63 pts vs previous week"
        assert level_change("nps", 1.0, 0.0, previous_word="vs previous week")[0] == "▲ 1 pt vs previous week"
        assert Panel("t", "u", ()).value_text(12.5) == "13"
