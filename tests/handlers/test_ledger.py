from __future__ import annotations

import pytest
from sqlmodel import select

from handlers.core import ChatRef
from storage.models import Activity, ActivityTag
from tests.helpers import ALICE, BOB, say, text_of

OTHER_TEAM_CHAT = ChatRef(platform="console", chat_id="other-team")


@pytest.fixture
def talk(router) -> int:
    say(router, '/log talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300 contacts=25 cost=1500 #backend')
    return 1


def test_update_changes_numbers_and_reports_each_change(router, db, talk):
    reply = say(router, "/update 1 audience=350 contacts=30 #dba")

    text = text_of(reply)
    assert "audience: 300 → 350" in text
    assert "contacts: 25 → 30" in text
    assert "cost per contact $50.00" in text
    with db.session() as s:
        activity = s.get(Activity, 1)
        tags = sorted(t.tag for t in s.exec(select(ActivityTag)).all())
    assert (activity.audience, activity.contacts) == (350, 30)
    assert tags == ["backend", "dba"]


def test_update_title_date_and_status(router, db, talk):
    say(router, '/update #1 title="Scaling Postgres, part 2" 2026-12-24 status=planned')
    with db.session() as s:
        activity = s.get(Activity, 1)
    assert (activity.title, activity.date.isoformat(), activity.status) == (
        "Scaling Postgres, part 2", "2026-12-24", "planned")
    assert activity.title_key == "scaling postgres part 2"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/update", "Which activity"),
        ("/update abc views=1", "not an activity number"),
        ("/update 99 audience=1", "no activity #99"),
        ("/update 1", "Nothing to update"),
        ("/update 1 views=10", "does not apply to a talk"),
        ("/update 1 audience=-1", "cannot be negative"),
        ("/update 1 title=", "title cannot be empty"),
    ],
)
def test_bad_updates_change_nothing(router, db, talk, line, expected):
    reply = say(router, line)
    assert reply.is_error
    assert expected in text_of(reply)
    with db.session() as s:
        assert s.get(Activity, 1).audience == 300


def test_another_teams_activity_is_invisible(router, talk):
    for line in ("/show 1", "/update 1 audience=1", "/delete 1", "/delete 1 confirm"):
        reply = say(router, line, chat=OTHER_TEAM_CHAT)
        assert reply.is_error
        assert "no activity #1 in this team" in text_of(reply)


def test_show_gives_every_number_and_the_derived_ones(router, talk):
    text = text_of(say(router, "/show 1"))
    assert "talk #1 Scaling Postgres @ HighLoad++, 2026-11-20" in text
    assert "audience: 300" in text and "contacts: 25" in text and "cost: $1,500.00" in text
    assert "reach 300" in text and "cost per contact $60.00" in text
    assert "#backend" in text and "owner: alice" in text


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


def test_list_filters_by_kind_period_person_and_tag(router):
    say(router, '/log talk "Old talk" @ Conf 2026-10-01 #backend')
    say(router, '/log talk "This week talk" @ Conf 2026-11-24 #backend')
    say(router, '/log post "This month post" @ Blog 2026-11-03 views=100 #frontend')
    say(router, '/log post "Bob post" @ Blog 2026-11-25 views=5', user=BOB)

    def titles(line: str) -> list[str]:
        text = text_of(say(router, line))
        return [t for t in ("Old talk", "This week talk", "This month post", "Bob post") if t in text]

    assert titles("/list") == ["Old talk", "This week talk", "This month post", "Bob post"]
    assert titles("/list talk") == ["Old talk", "This week talk"]
    assert titles("/list week") == ["This week talk", "Bob post"]
    assert titles("/list month publication") == ["This month post", "Bob post"]
    assert titles("/list @bob") == ["Bob post"]
    assert titles("/list #backend quarter") == ["Old talk", "This week talk"]
    assert titles("/list all #frontend") == ["This month post"]


def test_list_is_newest_first_and_bad_filters_are_explained(router):
    say(router, '/log talk "A" @ Conf 2026-11-01')
    say(router, '/log talk "B" @ Conf 2026-11-10')
    text = text_of(say(router, "/list"))
    assert text.index("talk #2 B") < text.index("talk #1 A")
    bad = say(router, "/list yesterday")
    assert bad.is_error and "yesterday" in text_of(bad) and "Example: /list" in text_of(bad)
    assert "No one in this team" in text_of(say(router, "/list @ghost"))


def test_empty_list_invites_a_first_log(router):
    assert "Nothing logged here yet" in text_of(say(router, "/list"))
