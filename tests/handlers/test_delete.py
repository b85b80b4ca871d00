"""/delete: confirmed with buttons, by the owner or an admin."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Activity, ActivityTag
from tests.helpers import ALICE, BOB, say, text_of


def test_delete_asks_for_confirmation_with_buttons_then_deletes(router, db, talk):
    ask = say(router, "/delete 1")
    assert [b.command for b in ask.buttons] == ["/delete 1 confirm", "/delete 1 keep"]
    with db.session() as s:
        assert s.get(Activity, 1) is not None

    kept = say(router, ask.buttons[1].command)
    assert "Kept" in text_of(kept)

    done = say(router, ask.buttons[0].command)
    assert "Deleted" in text_of(done)
    with db.session() as s:
        assert s.get(Activity, 1) is None
        assert s.exec(select(ActivityTag)).all() == []


def test_only_owner_or_admin_may_delete(router, db):
    say(router, "/help", user=ALICE)  # alice is first: admin
    say(router, '/log talk "Bob talk" @ Conf 2026-11-01', user=BOB)  # #1, owned by bob
    say(router, '/log talk "Alice talk" @ Conf 2026-11-01', user=ALICE)  # #2, owned by alice

    refused = say(router, "/delete 2 confirm", user=BOB)
    assert refused.is_error and "Only the owner" in text_of(refused)
    assert "Deleted" in text_of(say(router, "/delete 1 confirm", user=BOB))  # bob owns #1
    say(router, '/log talk "Bob again" @ Conf 2026-11-01', user=BOB)  # #3
    assert "Deleted" in text_of(say(router, "/delete 3 confirm", user=ALICE))  # alice is admin
    with db.session() as s:
        assert [a.id for a in s.exec(select(Activity)).all()] == [2]
