from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import event, text
from sqlmodel import select

from handlers.core import Reply
from handlers.router import Router
from storage.db import Database
from storage.models import Activity, ActivityTag, Change, Member, Team
from tests.dbstate import ledger_counts
from tests.helpers import ALICE, BOB, say, text_of


def test_log_talk_stores_it_and_replies_with_derived_numbers(router, db):
    reply = say(router, '/log talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300 contacts=25 '
                        'cost=1500 #backend #dba')

    assert not reply.is_error
    assert "Logged talk #1" in text_of(reply)
    assert "reach 300" in text_of(reply)
    assert "cost per contact $60.00" in text_of(reply)
    with db.session() as s:
        activity = s.exec(select(Activity)).one()
        tags = sorted(t.tag for t in s.exec(select(ActivityTag)).all())
    assert (activity.kind, activity.title, activity.venue) == ("talk", "Scaling Postgres", "HighLoad++")
    assert (activity.audience, activity.contacts, activity.cost, activity.currency) == (300, 25, Decimal("1500"), "USD")
    assert activity.status == "done"
    assert tags == ["backend", "dba"]


MALFORMED = [
    ('/log tlak "X"', "tlak"),  # unknown kind
    ("/log", "kind and a title"),  # nothing at all
    ("/log talk", "needs a title"),  # no title
    ('/log talk ""', "needs a title"),  # empty quoted title
    ('/log talk "Scaling Postgres', "Unbalanced quote"),  # unbalanced quote
    ("/log talk «Scaling Postgres @ X", "Unbalanced quote"),  # unbalanced guillemet
    ("/log talk " + '"' + "x" * 10_000 + '"', "too long"),  # a 10 KB title
    ('/log talk "X" audience=-5', "cannot be negative"),  # negative number
    ('/log talk "X" audience=lots', "whole number"),  # not a number
    ('/log talk "X" audience=1.2345k', "whole number"),  # fractional count
    ('/log talk "X" audience=99999999999', "larger than"),  # absurd number
    ('/log talk "X" 1900-01-01', "out of range"),  # year 1900
    ('/log talk "X" 2200-01-01', "out of range"),  # year 2200
    ('/log talk "X" 31.02.2026', "not a real calendar date"),  # impossible date
    ('/log talk "X" date=someday', "not a date"),  # unknown date word
    ('/log talk "X" viewz=3', "Unknown key"),  # unknown key
    ('/log talk "X" views=300', "does not apply to a talk"),  # metric of another kind
    ('/log post "X" stream_views=5', "does not apply to a publication"),  # metric of another kind
    ('/log talk "X" rating=7', "from 1 to 5"),  # rating out of range
    ('/log meetup "X" nps=150', "from -100 to 100"),  # NPS out of range
    ('/log meetup "X" cost=12xyz', "not a currency code"),  # unknown currency
    ('/log meetup "X" cost=-100', "cannot be negative"),  # negative cost
    ('/log talk "X" status=finished', "planned, done or cancelled"),  # bad status
    ('/log talk "X" audience=1 audience=2', "given twice"),  # duplicate key
    ('/log talk "X" 2026-11-20 2026-11-21', "given twice"),  # two dates
    ('/log talk "X" #bad!tag', "not a tag"),  # bad tag
    ('/log talk "X" url=ftp://x', "not a web address"),  # bad url
    ('/log talk "X" @', "must be followed by the venue"),  # @ without venue
    ('/log talk "X" stray', "don't know what"),  # a stray word after a quoted title
    ('/log talk "X" @nobody @ Venue', "No one in this team"),  # unknown owner with a venue given
]


@pytest.mark.parametrize(("line", "expected"), MALFORMED, ids=[m[1] + f"-{i}" for i, m in enumerate(MALFORMED)])
def test_malformed_log_gets_a_clear_error_with_an_example_and_stores_nothing(router, db, line, expected):
    say(router, '/log talk "Existing" @ Conf 2026-11-01 audience=10 #keep')
    before = ledger_counts(db)

    reply = say(router, line)

    assert reply.is_error and reply.ephemeral
    assert expected in text_of(reply)
    assert "Example: /log " in text_of(reply)
    assert ledger_counts(db) == before


def test_a_future_date_makes_a_planned_item_unless_status_says_otherwise(router, db):
    assert "Planned talk #1" in text_of(say(router, '/log talk "Next" @ Conf 2026-12-20'))
    assert "Logged talk #2" in text_of(say(router, '/log talk "Next" @ Conf 2026-12-20 status=done'))
    with db.session() as s:
        assert [a.status for a in s.exec(select(Activity).order_by(Activity.id)).all()] == ["planned", "done"]


def test_default_date_is_today_in_the_team_time_zone(router, db, clock):
    say(router, "/help")  # the chat becomes a team
    with db.session() as s:
        team = s.exec(select(Team)).one()
        team.timezone = "Asia/Tokyo"
        s.add(team)
    clock.now = clock.now.replace(hour=23, minute=30)  # 23:30 UTC on Thursday 26 Nov = Friday morning in Tokyo

    say(router, '/log post "Late post" @ Blog views=10')

    with db.session() as s:
        assert s.exec(select(Activity)).one().date.isoformat() == "2026-11-27"


def test_hostile_text_is_stored_verbatim_and_escaped_in_the_reply(router, db):
    title = "<b>*bold*</b> _x_ `y` [a](b) '; DROP TABLE activity; --"
    reply = say(router, f'/log post "{title}" @ Blog views=1')
    assert title in text_of(reply)
    with db.session() as s:
        assert s.exec(select(Activity)).one().title == title


def test_publication_reply_shows_reach_and_engagement(router):
    reply = say(router, '/log article "Kafka" @ Habr 2026-11-01 views=12k likes=140 shares=10 comments=50 '
                        'cost=300 contacts=0')
    text = text_of(reply)
    assert "reach 12,000" in text
    assert "engagement 200" in text
    assert "cost per contact —" in text  # zero contacts: undefined, never 0 or infinity


def test_owner_can_be_another_team_member(router, db):
    from tests.helpers import BOB

    say(router, "/help", user=BOB)  # bob joins the team
    say(router, '/log talk "Bob talk" @ Conf 2026-11-01 @bob')
    with db.session() as s:
        from storage.models import Member

        activity = s.exec(select(Activity)).one()
        assert s.get(Member, activity.owner_id).display_name == "bob"


# --- the hot path: the chat's team and member cached (storage.chat_context), Core inserts (storage.activity_insert)


def statements(db, line: str, router, **kwargs) -> tuple[Reply, list[str]]:
    """Dispatch ``line`` and return its reply and the statements it sent, each as its first words."""
    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        words = statement.replace("(", " ").replace(",", " ").split()
        seen.append(" ".join(words[:3]))

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        reply = say(router, line, **kwargs)
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    return reply, seen


LOAD = "SELECT team.id team.generation"  # the chat's team and member read (into the cache)
ACTIVITY = "INSERT INTO activity"  # SQLite: the activity's insert, guarded by the cached team's generation
ONE_STATEMENT = "WITH new_activity AS"  # PostgreSQL: the same, and its tags, history and reminders, in one


def test_a_log_is_an_insert_per_table_and_the_first_checks_the_cached_team(any_router, any_db):
    """Was seven ORM statements (team, member, activity, its history, tags, their history — plus BEGIN), then a
    check and an insert per table; a regression that adds a statement to every /log fails here."""
    say(any_router, '/log talk "First" @ Conf 2026-11-20')  # makes the team and alice's membership (the ORM way)
    say(any_router, '/log talk "Second" @ Conf 2026-11-20')  # reads them once, into the cache

    reply, sent = statements(any_db, '/log talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300 #backend '
                                     '#dba', any_router)
    planned, sent_planned = statements(any_db, '/log event "Go Meetup" @ Office 2026-12-20', any_router)

    assert not reply.is_error and "Logged talk #3" in text_of(reply)
    # A planned event also gets its reminders.
    assert not planned.is_error and "Planned event #4" in text_of(planned)
    if any_db.is_postgres:  # psycopg sends its BEGIN without a cursor
        assert sent == sent_planned == [ONE_STATEMENT]
    else:
        assert sent == ["BEGIN IMMEDIATE", ACTIVITY, "INSERT INTO activity_tag", "INSERT INTO change"]
        assert sent_planned == ["BEGIN IMMEDIATE", ACTIVITY, "INSERT INTO change", "INSERT INTO reminder"]


def hot_path(db: Database, *, after: tuple[str, ...] = ()) -> list[str]:
    """What a /log on the hot path sends (with a tag, no reminders): after ``after``, in the same transaction."""
    if db.is_postgres:
        return [*after, ONE_STATEMENT]
    return ["BEGIN IMMEDIATE", *after, ACTIVITY, "INSERT INTO activity_tag", "INSERT INTO change"]


def test_the_first_log_of_a_person_takes_the_orm_path_and_the_next_the_hot_path(router, db):
    say(router, '/log talk "First" @ Conf 2026-11-20')
    _reply, first = statements(db, '/log talk "Bob\'s" @ Conf 2026-11-20', router, user=BOB)
    _reply, second = statements(db, '/log talk "Bob\'s again" @ Conf 2026-11-20', router, user=BOB)

    assert any(s.startswith("INSERT INTO member") for s in first)  # bob joined the team by logging
    assert second[1:3] == [LOAD, ACTIVITY]  # read once (alice's copy is cached already) ...
    _reply, third = statements(db, '/log talk "Bob\'s third" @ Conf 2026-11-20', router, user=BOB)
    assert third[1] == ACTIVITY  # ... then taken from the cache, checked by the insert itself
    with db.session() as s:
        assert [a.created_by for a in s.exec(select(Activity).order_by(Activity.id))] == [1, 2, 2, 2]


def test_a_settings_change_reaches_the_next_log(any_router, any_db):
    say(any_router, '/log talk "First" @ Conf 2026-11-20')
    say(any_router, '/log talk "Cached" @ Conf 2026-11-20')
    say(any_router, "/settings currency=EUR purpose=hiring language=ru")

    reply, sent = statements(any_db, '/log talk "Third" @ Conf 2026-11-20 cost=100 contacts=4 #x', any_router)

    assert "Записано" in text_of(reply) and "100,00\xa0€" in text_of(reply)
    # The cached copy's insert wrote nothing (the team moved on); read again, the command ran again on it.
    stale = ONE_STATEMENT if any_db.is_postgres else ACTIVITY
    assert sent == hot_path(any_db, after=(stale, LOAD))
    with any_db.session() as s:
        third = s.get(Activity, 3)
        assert third is not None and (third.currency, third.purpose) == ("EUR", "hiring")


def test_another_replica_s_change_reaches_this_one(any_db, clock):
    this, replica = Router(any_db, clock=clock), Router(any_db, clock=clock)
    say(this, '/log talk "First" @ Conf 2026-11-20')
    say(this, '/log talk "Cached" @ Conf 2026-11-20')
    say(replica, "/settings currency=EUR timezone=Pacific/Kiritimati")

    reply = say(this, '/log talk "Third" @ Conf cost=100 contacts=4')

    assert "€100.00" in text_of(reply)
    with any_db.session() as s:
        third = s.get(Activity, 3)
        # 12:00 UTC on 26 November is 02:00 on the 27th at UTC+14: "today" is the team's new today.
        assert third is not None and third.currency == "EUR" and third.date.isoformat() == "2026-11-27"


def test_a_refusal_made_from_a_cached_copy_is_answered_as_the_team_is_now(any_db, clock):
    """A refusal writes nothing that could check the cached copy: it is answered once a read found the copy
    still true — here it is not (another replica switched the team to Russian), so the refusal is Russian."""
    this, replica = Router(any_db, clock=clock), Router(any_db, clock=clock)
    say(this, '/log talk "First" @ Conf 2026-11-20')
    say(this, '/log talk "Cached" @ Conf 2026-11-20')
    say(replica, "/settings language=ru")

    reply = say(this, '/log talk "Third" @ Conf 2026-11-20 audience=lots')

    assert reply.is_error and "аудитория" in text_of(reply), text_of(reply)
    assert ledger_counts(any_db) == (2, 0)


def test_a_chat_linked_to_another_team_logs_into_that_team_and_unlinked_into_its_own(router, db):
    from tests.handlers.test_connect import GROUP, TG_USER, bindings, new_code, run

    run(router, '/log talk "Own" @ Conf 2026-11-20', user=TG_USER, chat=GROUP)
    run(router, '/log talk "Own again" @ Conf 2026-11-20', user=TG_USER, chat=GROUP)  # cached now
    code = new_code(router)
    run(router, f"/connect {code}", user=TG_USER, chat=GROUP, chat_admin=True)
    slack_team = bindings(db)[("slack", "T1")][0]

    run(router, '/log talk "Shared" @ Conf 2026-11-20', user=TG_USER, chat=GROUP)
    run(router, "/disconnect", user=TG_USER, chat=GROUP, chat_admin=True)
    run(router, '/log talk "Own once more" @ Conf 2026-11-20', user=TG_USER, chat=GROUP)

    with db.session() as s:
        teams = {a.title: a.team_id for a in s.exec(select(Activity))}
        members = {m.id: m.team_id for m in s.exec(select(Member))}
        authors = {a.title: a.created_by for a in s.exec(select(Activity))}
    assert teams["Shared"] == slack_team  # never the team the chat left
    assert teams["Own once more"] not in (slack_team, teams["Own"])  # a team of its own again
    assert members[authors["Shared"]] == slack_team  # written by a member of the team it went to
    assert members[authors["Own once more"]] == teams["Own once more"]


def test_a_removed_member_is_never_the_author(any_router, any_db):
    say(any_router, '/log talk "First" @ Conf 2026-11-20')
    say(any_router, "/help", user=BOB)
    say(any_router, '/log talk "Bob cached" @ Conf 2026-11-20', user=BOB)
    say(any_router, '/log talk "Bob cached" @ Conf 2026-11-20', user=BOB)
    with any_db.engine.begin() as conn:  # another process removes bob (a merge of two teams does)
        conn.execute(text("DELETE FROM member WHERE user_id = 'u-bob'"))

    say(any_router, '/log talk "After" @ Conf 2026-11-20', user=BOB)

    with any_db.session() as s:
        after = s.exec(select(Activity).where(Activity.title == "After")).one()
        author = s.get(Member, after.created_by)
        assert author is not None and author.user_id == "u-bob" and author.id != 2  # joined again, a new member


def test_a_new_display_name_is_stored_and_shown(router, db):
    say(router, '/log talk "First" @ Conf 2026-11-20')
    say(router, '/log talk "Cached" @ Conf 2026-11-20')
    renamed = replace(ALICE, display_name="Alice Smith")

    reply = say(router, '/log talk "Third" @ Conf 2026-11-20', user=renamed)

    assert "owner: Alice Smith" in text_of(reply)
    with db.session() as s:
        assert s.get(Member, 1).display_name == "Alice Smith"
        assert {c.actor for c in s.exec(select(Change).where(Change.activity_id == 3))} == {"Alice Smith"}
    _reply, sent = statements(db, '/log talk "Fourth" @ Conf 2026-11-20', router, user=renamed)
    # The copy cached under the old name is read again, and the hot path taken under the new one.
    assert sent == ["BEGIN IMMEDIATE", LOAD, ACTIVITY, "INSERT INTO change"]


def test_an_owner_named_on_the_hot_path(router, db):
    say(router, '/log talk "First" @ Conf 2026-11-20')
    say(router, "/help", user=BOB)
    say(router, '/log talk "Cached" @ Conf 2026-11-20')

    reply = say(router, '/log talk "Bob\'s talk" @bob 2026-11-20')
    venue = say(router, '/log talk "Somewhere" @Nowhere 2026-11-20')

    assert "owner: bob" in text_of(reply)
    assert "@ Nowhere" in text_of(venue) and "owner: alice" in text_of(venue)
    with db.session() as s:
        assert s.get(Activity, 3).owner_id == 2 and s.get(Activity, 4).owner_id == 1


def test_a_log_on_the_hot_path_is_in_the_history_and_can_be_deleted_and_restored(any_router, any_db):
    say(any_router, '/log talk "First" @ Conf 2026-11-20')
    say(any_router, '/log talk "Cached" @ Conf 2026-11-20')
    _reply, sent = statements(any_db, '/log talk "Hot" @ Conf 2026-11-20 audience=300 #backend', any_router)
    assert sent == hot_path(any_db)

    history = text_of(say(any_router, "/history 3"))
    assert "Hot" in history and "300" in history and "#backend" in history
    say(any_router, "/delete 3 confirm")
    assert say(any_router, "/show 3").is_error
    restored = say(any_router, "/restore 3")

    assert not restored.is_error and "talk #3" in text_of(restored)
    with any_db.session() as s:
        actions = [c.action for c in s.exec(select(Change).where(Change.activity_id == 3).order_by(Change.id))]
        assert s.get(Activity, 3).audience == 300
        assert [t.tag for t in s.exec(select(ActivityTag).where(ActivityTag.activity_id == 3))] == ["backend"]
    assert actions[0] == "create" and actions[-2:] == ["delete", "restore"]
