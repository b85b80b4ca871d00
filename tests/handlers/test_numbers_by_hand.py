"""Every metric decision on one hand-computed data set, on SQLite and PostgreSQL, through every surface.

The team is in New York. Expected figures are literals worked out by hand below — never computed with the code
under test. ``T1`` is Sunday 29 November, 22:00 in New York (Monday 03:00 UTC); ``T2`` is Wednesday 2 December,
21:00 in New York.

| #  | what                 | day (local) | numbers                                                     |
| 1  | talk "Oct talk"      | 10-06       | audience 100, contacts 10, $500                             |
| 2  | plan post P-A        | due 11-05   | done 11-05 (date given): on time                            |
| 3  | plan post P-B        | due 11-12   | done without a date on 11-14: done that day, late           |
| 4  | plan post P-C        | due 11-19   | never done: a miss                                          |
| 5  | plan post P-D        | due 11-26   | dropped: never counts                                       |
| 6  | talk "Postgres"      | 11-03       | audience 200, contacts 40, €2,650, typed rating 4.6         |
| 7  | event "Meetup"       | 11-10       | audience 80 + stream 1,200, contacts 30, $0, typed NPS 91   |
| 8  | partnership "Booth"  | 11-17       | participants 450 (no audience), contacts 25, $1,000         |
| 9  | publication "Post"   | 11-20       | views 12,000, likes 80 + shares 12 + comments 8             |
| 10 | talk "Kotlin"        | 11-24       | audience 150, contacts 30, typed rating 4.8, hires=1        |
| 11 | talk "Temp"          | planned     | deleted; the next activity is #12, never #11 again          |

Votes: a rating poll on #6 — 5, 4, 4 on 4 November and a late 4 on Sunday 29 November 21:30 New York time
(Monday 02:30 UTC: the next week in UTC, this week for the team) → 17 / 4 = 4.25 → 4.3 (half-up). An NPS poll on
#7 — 10, 10, 10, 9, 9, 7, 8, 8 → 5 promoters, 3 passives, 0 detractors → 62.5 → +63 (half-up).
Surveys asked on 20 November to four new hires: "yes" naming #10, "partly" naming #6, "no", one unanswered.

November so far at T1 (1–29 Nov) against the same days of October (1–29 Oct: #1 only):
- activities 7 (2 talks, 1 event, 1 partnership, 3 publications: #9, P-A, P-B) against 1 → +600%
- reach 200 + 1,280 + 450 + 12,000 + 150 + 0 + 0 = 14,080 against 100 → +13,980%; engagement 100 (new)
- contacts 40 + 30 + 25 + 30 = 125 against 10 → +1,150%
- cost per contact: USD ($0 + $1,000) / (30 + 25) = $18.18 on 55 of 125 contacts; EUR €2,650 / 40 = €66.25 on 40
  of 125; October $500 / 10 = $50.00
- plan fulfilment: P-A on time, P-B late, P-C missed (P-D dropped) → 1 of 3 → 33%
- votes: rating 4.3 (4 votes), NPS +63 (8 answers); reported: rating (4.6 + 4.8) / 2 = 4.7 on 2 talks, NPS 91 on
  1 event
- hiring influence: 2 of 3 answered, 4 surveyed → 67%; hires (reported) 1 — #10's survey "yes" is not added
This week so far at T2 (30 Nov – 2 Dec) against 23–25 Nov (#10 only, reach 150): P-E (due and done 1 Dec) and
a post "Launch" with 5,000 views → reach 5,000 → +3,233%; plan 1 of 1 → 100% (P-F, due 4 Dec, not yet).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from handlers.digest_content import build_report
from handlers.export import export_activities
from handlers.markup import to_plain
from handlers.router import Router
from storage.models import Activity, Team
from storage.periods import period_containing
from tests.conftest import Clock
from tests.handlers.feedback_support import person, posted
from tests.helpers import incoming, say, text_of

T1 = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
T2 = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
HIRES = [person(name) for name in ("carol", "dan", "eve", "frank")]


def at(clock: Clock, when: str) -> None:
    clock.now = datetime.fromisoformat(when).replace(tzinfo=UTC)


def ok(router: Router, line: str, **options: object) -> str:
    reply = say(router, line, **options)  # type: ignore[arg-type]
    assert not reply.is_error, text_of(reply)
    return text_of(reply)


def vote(router: Router, command: str, scores: list[int], prefix: str) -> None:
    for n, score in enumerate(scores):
        ok(router, f"{command} {score}", user=person(f"{prefix}{n}"))


@pytest.fixture
def ledger(any_router: Router, clock: Clock) -> Router:
    router = any_router
    at(clock, "2026-10-07T14:00")
    ok(router, "/settings timezone=America/New_York")
    ok(router, '/log talk "Oct talk" @ Conf 2026-10-06 audience=100 contacts=10 cost=$500')  # 1
    at(clock, "2026-11-01T14:00")
    for title, due in (("P-A", "2026-11-05"), ("P-B", "2026-11-12"), ("P-C", "2026-11-19"), ("P-D", "2026-11-26")):
        ok(router, f'/plan add post "{title}" due {due} @ Blog')  # 2-5
    at(clock, "2026-11-04T14:00")
    ok(router, '/log talk "Postgres" @ Conf 2026-11-03 audience=200 contacts=40 cost=€2,650 rating=4.6')  # 6
    rating = say(router, "/poll 6")
    assert rating.poll is not None
    posted(router, rating, message_id="m-6")
    vote(router, rating.poll.choice_command, [5, 4, 4], "r")
    at(clock, "2026-11-11T14:00")
    ok(router, '/log meetup "Meetup" @ Office 2026-11-10 audience=80 stream_views=1,200 contacts=30 cost=$0 nps=91')
    nps = say(router, "/poll 7 nps")
    assert nps.poll is not None
    posted(router, nps, message_id="m-7")
    vote(router, nps.poll.choice_command, [10, 10, 10, 9, 9, 7, 8, 8], "n")
    ok(router, "/plan done 2 date=2026-11-05")
    at(clock, "2026-11-14T14:00")
    ok(router, "/plan done 3")  # no date: done today, the 14th, after its due date
    at(clock, "2026-11-18T14:00")
    ok(router, '/log booth "Booth" @ Expo 2026-11-17 participants=450 contacts=25 cost=$1,000')  # 8
    at(clock, "2026-11-20T15:00")
    ok(router, '/log post "Post" @ Blog 2026-11-20 views=12,000 likes=80 shares=12 comments=8')  # 9
    for hire in HIRES:
        say(router, "/help", user=hire)
        router.dispatch(incoming(f"/survey hire @{hire.display_name}"))
    at(clock, "2026-11-25T14:00")
    ok(router, '/log talk "Kotlin" @ Conf 2026-11-24 audience=150 contacts=30 rating=4.8 hires=1')  # 10
    for survey_id, (hire, answer) in enumerate(zip(HIRES[:3], ("yes 10", "partly 6", "no"), strict=True), start=1):
        ok(router, f"/survey answer {survey_id} {answer}", user=hire)
    ok(router, "/plan drop 5")
    ok(router, '/log talk "Temp" @ Conf 2026-12-21')  # 11, planned
    ok(router, "/delete 11 confirm")
    assert "#12" in ok(router, '/log talk "Later" @ Conf 2026-12-20')  # 12: ids are never reused
    at(clock, "2026-11-30T02:30")  # Sunday 21:30 in New York
    vote(router, rating.poll.choice_command, [4], "late")
    clock.now = T1
    return router


NOVEMBER_COST = "$18.18 (on 55 of 125 contacts with a cost); €66.25 (on 40 of 125 contacts with a cost)"


def test_stats_of_a_running_month(ledger):
    text = ok(ledger, "/stats month")
    assert text.splitlines() == [
        "Stats for this month so far (2026-11-01 – 2026-11-29), against the same days of the previous month "
        "(2026-10-01 – 2026-10-29)",
        "• talk: 2 (+100%)",
        "• event: 1 (new)",
        "• partnership: 1 (new)",
        "• publication: 3 (new)",
        "• social: 0 (no change)",
        "• reach: 14,080 (+13,980%)",
        "• engagement: 100 (new)",
        "• contacts: 125 (+1,150%)",
        f"• cost per contact: {NOVEMBER_COST} (was $50.00)",
        "• plan fulfilment: 33% (1 of 3 due items done on time) (was —)",
        "• community rating: 4.3 of 5 (4 answers) (was —)",
        "• NPS: +63 (5 promoters, 3 passives, 0 detractors; 8 answers) (was —)",
        "• reported: rating 4.7 on 2 talks, NPS 91 on 1 event",
        "• hiring influence: 67% (2 of 3 answered; 4 surveyed) (was —)",
    ]


def test_report_and_digest_agree_with_stats(ledger, any_db):
    summary = to_plain(ledger.dispatch(incoming("/report month"))[0].text)
    assert summary.splitlines()[:9] == [
        "📊 Monthly report so far, 2026-11-01 – 2026-11-29",
        "Against the same days of the previous month (2026-10-01 – 2026-10-29)",
        "• Activities: 7 (+600%) — 2 talks, 1 event, 1 partnership, 3 publications",
        "• Reach: 14,080 (+13,980%) · engagement 100 (new)",
        f"• Contacts: 125 (+1,150%) · cost per contact {NOVEMBER_COST} (was $50.00)",
        "• Rating: 4.3 (4 votes) · NPS: +63 (8 answers)",
        "• Reported: rating 4.7 on 2 talks, NPS 91 on 1 event",
        "• Plan fulfilment: 33% (1 of 3 due items done on time)",
        "• Hiring influence: 67% (2 of 3 answered; 4 surveyed)",
    ]
    # The week of 23-29 November, still running in New York on Sunday night (in UTC, Monday's week has begun):
    # #10 against #8 and #9 the week before; the late vote on #6 (a 3 November talk) arrived in it — in UTC it
    # would be next week's.
    with any_db.session() as s:
        week = build_report(s, team=s.exec(select(Team)).one(), period=period_containing("week", date(2026, 11, 23)),
                            now=T1, with_chart=False)
    assert to_plain(week.summary).splitlines()[:4] == [
        "📊 Weekly digest so far, 2026-11-23 – 2026-11-29",
        "Against the previous week (2026-11-16 – 2026-11-22)",
        "• Activities: 1 (-50%) — 1 talk",
        "• Reach: 150 (-99%) · engagement 0 (-100%)",  # against 450 + 12,000
    ]
    # Last week ended a week ago less a day: votes on #8 and #9 may still come, so its rating is "so far".
    last_week = to_plain(ledger.dispatch(incoming("/report last week"))[0].text)
    assert "• Rating so far: no answers yet · NPS: no answers yet" in last_week
    details = to_plain(week.details)
    assert "Feedback that arrived for earlier activities\n• talk #6 Postgres @ Conf, 2026-11-03 — rating 4.0 (1 vote)" \
        in details


def test_show_funnel_and_export_agree(ledger, any_db):
    postgres = ok(ledger, "/show 6")
    assert "reach 200 · cost per contact €66.25" in postgres
    assert "• rating: 4.6" in postgres  # typed, on the activity
    assert "community rating: 4.3 of 5 (4 answers)" in postgres
    assert "reach 1,280 · cost per contact $0.00" in ok(ledger, "/show 7")  # zero is a real cost
    assert "reach 450 · cost per contact $40.00" in ok(ledger, "/show 8")  # participants, no audience
    funnel = ok(ledger, "/funnel month")
    assert "• hires: 1 (" in funnel  # hires= only: #10's survey "yes" is not added
    assert "• hiring influence: 67% (2 of 3 answered; 4 surveyed)" in funnel
    with any_db.session() as s:
        data = export_activities(s, team_id=s.exec(select(Team)).one().id)
    rows = [r for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
            if r["status"] == "done" and "2026-11-01" <= r["date"] <= "2026-11-29"]
    assert [(r["id"], r["reach"], r["cost_per_contact"]) for r in rows] == [
        ("6", "200", "66.25"), ("2", "0", ""), ("7", "1280", "0.00"), ("3", "0", ""), ("8", "450", "40.00"),
        ("9", "12000", ""), ("10", "150", "")]
    # The export's rows add up to what /stats and /report say for the same scope.
    assert sum(int(r["reach"]) for r in rows) == 14_080
    assert sum(int(r["contacts"] or 0) for r in rows) == 125


def test_a_running_week_counts_plan_items_due_up_to_today(ledger, clock):
    ok(ledger, '/plan add post "P-E" due 2026-12-01 @ Blog')  # 13
    ok(ledger, '/plan add post "P-F" due 2026-12-04 @ Blog')  # 14
    clock.now = T2
    ok(ledger, "/plan done 13 date=2026-12-01")
    ok(ledger, '/log tweet "Launch" @ X 2026-12-02 views=5,000')
    lines = ok(ledger, "/stats").splitlines()
    assert lines[0] == ("Stats for this week so far (2026-11-30 – 2026-12-02), against the same days of the "
                        "previous week (2026-11-23 – 2026-11-25)")
    assert "• reach: 5,000 (+3,233%)" in lines
    assert "• plan fulfilment: 100% (1 of 1 due item done on time) (was —)" in lines


def test_ids_after_a_delete_are_never_reused(ledger, any_db):
    with any_db.session() as s:
        assert [a.id for a in s.exec(select(Activity).where(Activity.id >= 11))] == [12]
    gone = say(ledger, "/delete 11 confirm")  # an old button
    assert gone.is_error and "#11" in text_of(gone)
    with any_db.session() as s:
        assert s.get(Activity, 12) is not None
