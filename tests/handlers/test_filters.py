"""The filter words /list, /plan, /stats and /report share, read by one parser."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from handlers.errors import UserError, quote_token
from handlers.filters import Filter, Filters, parse_filters
from storage.domain import Kind
from storage.models import Member
from storage.periods import Period
from tests.helpers import say, text_of

EVERY = tuple(Filter)
TODAY = date(2026, 11, 26)  # a Thursday


def unknown(token: str) -> str:
    return f"{token} is not a filter"


def parse(db, args: str, accept=EVERY) -> Filters:
    with db.session() as session:
        team_id = session.exec(select(Member.team_id)).first()
        return parse_filters(args, session=session, team_id=team_id, accept=accept, example="/list week",
                             unknown=unknown)


def test_every_filter_in_any_order(db, team):
    filters = parse(db, "#Backend @bob last publication month")
    bob_id = 2
    assert filters == Filters(kind=Kind.PUBLICATION, period="month", last=True, person="@bob", owner_ids=(bob_id,),
                              tags=("backend",))
    assert parse(db, "") == Filters()
    assert parse(db, "ALL").all_time


def test_the_filter_words_in_russian(db, team):
    assert parse(db, "#Backend @bob прошлый статья месяц") == parse(db, "#Backend @bob last article month")
    assert parse(db, "доклад неделю") == Filters(kind=Kind.TALK, period="week")
    assert parse(db, "всё").all_time and parse(db, "квартал").period == "quarter"


def test_the_period_it_names(db, team):
    assert parse(db, "").period_for(TODAY) is None
    assert parse(db, "").period_for(TODAY, default="week") == Period("week", date(2026, 11, 23), date(2026, 11, 30))
    assert parse(db, "quarter").period_for(TODAY) == Period("quarter", date(2026, 10, 1), date(2027, 1, 1))
    assert parse(db, "last month").period_for(TODAY) == Period("month", date(2026, 10, 1), date(2026, 11, 1))
    assert parse(db, "last").period_for(TODAY, default="week") == Period("week", date(2026, 11, 16),
                                                                         date(2026, 11, 23))
    assert parse(db, "all").period_for(TODAY, default="week") is None


@pytest.mark.parametrize(
    ("args", "accept", "expected"),
    [
        ("#backend", (Filter.PERIOD,), "“#backend” is not a filter"),  # a filter the command does not take
        ("talk", (Filter.PERIOD, Filter.TAG), "“talk” is not a filter"),
        ("last", (Filter.PERIOD,), "“last” is not a filter"),
        ("yesterday", EVERY, "“yesterday” is not a filter"),
        ("week month", EVERY, "“month” repeats a filter"),
        ("all week", EVERY, "“week” repeats a filter"),
        ("#a #A", EVERY, "“#A” repeats a filter"),
        ("talk post", EVERY, "“post” repeats a filter"),
        ("@bob @alice", EVERY, "“@alice” repeats a filter"),
        ("@ghost", EVERY, "No one in this team is called “@ghost”"),
        ("#", EVERY, "is not a tag"),
        ('"week', EVERY, "Unbalanced quote"),
    ],
)
def test_bad_filters_name_the_word(db, team, args, accept, expected):
    with pytest.raises(UserError) as raised:
        parse(db, args, accept)
    assert expected in raised.value.message
    assert raised.value.example == "/list week"


def test_a_quoted_token_is_cut_with_an_ellipsis():
    assert quote_token("week") == "“week”"
    assert quote_token("x" * 40) == f"“{'x' * 40}”"
    assert quote_token("x" * 41) == f"“{'x' * 40}…”"
    assert quote_token("plan.xlsx", limit=4) == "“plan…”"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/plan #backend", "I don't know what “#backend” means in /plan"),  # /plan takes no tag
        ("/plan talk", "I don't know what “talk” means in /plan"),
        ("/plan week month", "“month” repeats a filter"),
        ("/stats yesterday", "“yesterday” is not something /stats takes: a period (week, month or quarter), a kind, "
                             "#tag, @person, purpose=… or by tag|person|kind|purpose."),
        ("/stats all", "“all” is not something /stats takes"),
        ("/stats by colour", "“by colour” is not a breakdown: use by tag, by person, by kind or by purpose."),
        ("/stats by", "“by” is not a breakdown"),
        ("/stats by tag by kind", "“by” repeats a filter"),
        ("/stats #backend #backend", "“#backend” repeats a filter"),
        ("/stats @ghost", "No one in this team is called “@ghost”"),
        ("/stats purpose=fun", "fun"),
        ("/stats week month", "“month” repeats a filter"),
        ("/report all", "“all” is not something /report takes: a period (week, month or quarter, optionally after "
                        "“last”), a kind, #tag, @person, purpose=… or by tag|person|kind|purpose."),
        ("/report quarter pdf #backend", "The PDF review covers the whole team"),
        ("/report by person by tag", "“by” repeats a filter"),
        ("/report month quarter", "“quarter” repeats a filter"),
        ("/list last week", "I don't know what “last” means in /list"),
        ("/list week week", "“week” repeats a filter"),
    ],
)
def test_each_command_refuses_what_it_does_not_take(router, line, expected):
    reply = say(router, line)
    assert reply.is_error and expected in text_of(reply)
