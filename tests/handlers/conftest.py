"""Fixtures the handler tests share."""

from __future__ import annotations

import pytest

from handlers.router import Router
from tests.helpers import BOB, say


@pytest.fixture
def talk(router: Router) -> int:
    """Alice's talk #1 (she is the team's first member, so its admin)."""
    say(router, '/log talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300 contacts=25 cost=1500 #backend')
    return 1


@pytest.fixture
def team(router: Router) -> None:
    """A team of two: alice (the first member, so its admin) and bob."""
    say(router, "/help")
    say(router, "/help", user=BOB)
