"""Query functions, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from storage.activities import (
    create_activity,
    list_activities,
    tags_of,
    talk_reuse,
)
from storage.domain import Kind, Status
from storage.metrics.cost import cost_per_contact
from storage.metrics.totals import totals_of
from storage.scope import done_activities
from storage.selection import Scope
from storage.teams import get_or_create_member, get_or_create_team_for_chat


def _team(session):
    team = get_or_create_team_for_chat(session, platform="console", scope_id="c1", name="T", timezone="UTC")
    member = get_or_create_member(session, team=team, platform="console", user_id="u1", display_name="alice")
    return team, member


def _add(session, team, member, kind, title, day, status=Status.DONE, tags=(), **values):
    return create_activity(session, team_id=team.id, kind=kind, title=title, on=day, status=status,
                           values=values, tags=tags, owner_id=member.id, created_by=member.id)


def test_nobody_becomes_admin_by_being_first(any_db):
    with any_db.session() as s:
        team, first = _team(s)
        second = get_or_create_member(s, team=team, platform="console", user_id="u2", display_name="bob")
        again = get_or_create_member(s, team=team, platform="console", user_id="u1", display_name="alice")
        assert (first.role, second.role, again.id) == ("advocate", "advocate", first.id)


def test_list_by_range_kind_and_tag(any_db):
    with any_db.session() as s:
        team, member = _team(s)
        _add(s, team, member, Kind.TALK, "A", date(2026, 10, 31), tags=["backend"])
        _add(s, team, member, Kind.TALK, "B", date(2026, 11, 1), tags=["backend", "dba"])
        _add(s, team, member, Kind.SOCIAL, "C", date(2026, 11, 30), views=5)
        _add(s, team, member, Kind.TALK, "D", date(2026, 12, 1))
    with any_db.session() as s:
        november = list_activities(s, team_id=team.id, start=date(2026, 11, 1), end=date(2026, 12, 1))
        assert [a.title for a in november] == ["C", "B"]
        backend_talks = list_activities(s, team_id=team.id, scope=Scope(kind=Kind.TALK, tags=("backend",)))
        assert [a.title for a in backend_talks] == ["B", "A"]
        assert tags_of(s, ids=[a.id for a in november]) == {november[0].id: [], november[1].id: ["backend", "dba"]}


def test_a_period_is_its_done_activities_summed_per_kind_and_cost_per_currency(any_db):
    with any_db.session() as s:
        team, member = _team(s)
        _add(s, team, member, Kind.EVENT, "M1", date(2026, 11, 2), audience=80, stream_views=1200, contacts=30,
             cost=Decimal("600"), currency="USD")
        _add(s, team, member, Kind.EVENT, "M2", date(2026, 11, 9), audience=20, contacts=10,
             cost=Decimal("9000"), currency="RUB")
        _add(s, team, member, Kind.PUBLICATION, "P", date(2026, 11, 3), views=5000, likes=10, shares=2, comments=3)
        _add(s, team, member, Kind.PUBLICATION, "Planned", date(2026, 11, 4), status=Status.PLANNED, views=9)
        _add(s, team, member, Kind.EVENT, "Outside", date(2026, 12, 1), audience=1)
    with any_db.session() as s:
        done = done_activities(s, team_id=team.id, start=date(2026, 11, 1), end=date(2026, 12, 1))
        totals = totals_of(done)
        costs = cost_per_contact(done, default_currency="USD")
    assert totals.by_kind == {Kind.EVENT: 2, Kind.PUBLICATION: 1}
    assert (totals.reach, totals.contacts, totals.engagement) == (6300, 40, 15)  # 80+1200+20+5000
    assert [(c.currency, c.cost, c.contacts, c.all_contacts, c.value) for c in costs] == [
        ("USD", Decimal("600"), 30, 40, Decimal("20")), ("RUB", Decimal("9000"), 10, 40, Decimal("900"))]


def test_talk_reuse_groups_the_same_talk(any_db):
    with any_db.session() as s:
        team, member = _team(s)
        _add(s, team, member, Kind.TALK, "Scaling Postgres", date(2026, 3, 1))
        _add(s, team, member, Kind.TALK, "SCALING postgres", date(2026, 9, 1))
        _add(s, team, member, Kind.TALK, "Scaling Postgres", date(2027, 1, 1), status=Status.PLANNED)
        _add(s, team, member, Kind.TALK, "Other", date(2026, 5, 1), status=Status.CANCELLED)
    with any_db.session() as s:
        rows = talk_reuse(s, team_id=team.id)
    assert [(r.times_given, r.planned, r.last_given) for r in rows] == [
        (2, 1, date(2026, 9, 1)), (0, 0, None)]


def test_two_people_arriving_at_once_make_no_admin(any_db):
    import threading

    with any_db.session() as s:
        team = get_or_create_team_for_chat(s, platform="slack", scope_id="T9", name="T", timezone="UTC")
    start = threading.Barrier(2)
    errors: list[Exception] = []

    def arrive(user_id: str) -> None:
        start.wait()
        try:
            with any_db.session() as s:
                get_or_create_member(s, team=team, platform="slack", user_id=user_id, display_name=user_id)
        except Exception as error:  # SQLite may refuse the stale one: "try again", as the router says
            errors.append(error)

    threads = [threading.Thread(target=arrive, args=(u,)) for u in ("U1", "U2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    with any_db.session() as s:
        from sqlmodel import select

        from storage.models import Member

        roles = sorted(m.role for m in s.exec(select(Member)).all())
    assert "admin" not in roles
    assert len(roles) + len(errors) == 2
