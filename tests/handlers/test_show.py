"""/show: one activity with every number and the derived ones."""

from __future__ import annotations

from tests.helpers import say, text_of


def test_show_gives_every_number_and_the_derived_ones(router, talk):
    text = text_of(say(router, "/show 1"))
    assert "talk #1 Scaling Postgres @ HighLoad++, 2026-11-20" in text
    assert "audience: 300" in text and "contacts: 25" in text and "cost: $1,500.00" in text
    assert "reach 300" in text and "cost per contact $60.00" in text
    assert "#backend" in text and "owner: alice" in text
