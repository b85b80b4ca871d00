"""Votes, tallies and survey answers on SQLite and PostgreSQL: one vote per voter per card is a database
constraint, votes belong to their activity (and arrive, late or not, in the span they were cast), and a burst
of concurrent reactions is counted exactly."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from handlers.core import ChatRef, Posted, ReactionEvent, SentMessage, UserRef
from handlers.router import Router
from storage.activities import create_activity
from storage.domain import Kind, Status
from storage.feedback.cards import Mode, card_posted, create_card, get_card
from storage.feedback.results import FeedbackSummary, feedback_of_activities, late_feedback
from storage.feedback.scales import Scale
from storage.feedback.survey import HireAnswer, answer_survey, start_survey
from storage.feedback.votes import cast_vote, replace_tallies, withdraw_vote
from storage.metrics.hiring import HiringInfluence, hiring_influence
from storage.metrics.scores import NpsResult
from storage.models import Team, Vote
from storage.scope import EVERYTHING, surveys_for
from storage.teams import get_or_create_team_for_chat

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def setup_card(db, *, scale: Scale = Scale.RATING, team_name: str = "T") -> tuple[int, int]:
    """A team with one activity and one posted card: (team id, card id)."""
    with db.session() as s:
        team = get_or_create_team_for_chat(s, platform="console", scope_id=team_name, name=team_name, timezone="UTC")
        activity = create_activity(s, team_id=team.id, kind=Kind.TALK, title="X", on=date(2026, 11, 1),
                                   status=Status.DONE, values={}, tags=(), owner_id=None, created_by=None)
        card = create_card(s, team_id=team.id, activity_id=activity.id, mode=Mode.EMOJI, scale=scale,
                           platform="console", chat_id=team_name, created_by=None, now=T0)
        card_posted(s, card_id=card.id, platform="console", chat_id=team_name, message_id="m-1", poll_id=None)
        return team.id, card.id


def card_of(s, card_id):
    return get_card(s, card_id=card_id)


NOTHING = FeedbackSummary(rating=None, rating_count=0, nps=None)


def cast_between(s, team_id: int, start: datetime, end: datetime) -> FeedbackSummary:
    """What was cast in [start, end) on the team's activities held before 2 November (setup_card's is the 1st)."""
    found = late_feedback(s, team_id=team_id, since=start, until=end, held_before=date(2026, 11, 2))
    assert found.activities == len(found.top) <= 1 and (found.summary == found.top[0].summary if found.top else True)
    return found.summary if found.activities else NOTHING


def test_one_vote_per_voter_per_card_is_a_database_constraint(any_db):
    team_id, card_id = setup_card(any_db)
    with any_db.session() as s:
        s.add(Vote(card_id=card_id, team_id=team_id, scale="rating", voter="x:1", score=5, cast_at=T0))
    with pytest.raises(IntegrityError), any_db.session() as s:
        s.add(Vote(card_id=card_id, team_id=team_id, scale="rating", voter="x:1", score=4, cast_at=T0))
    with pytest.raises(IntegrityError), any_db.session() as s:  # and a rating is 1 to 5
        s.add(Vote(card_id=card_id, team_id=team_id, scale="rating", voter="x:2", score=9, cast_at=T0))


def test_a_vote_is_replaced_in_place_and_arrives_when_it_was_last_cast(any_db):
    team_id, card_id = setup_card(any_db)
    with any_db.session() as s:
        card = card_of(s, card_id)
        cast_vote(s, card=card, voter="x:1", score=2, emoji="👎", now=T0)
        cast_vote(s, card=card, voter="x:2", score=5, emoji="🔥", now=T0)
        cast_vote(s, card=card, voter="x:1", score=4, emoji="👍", now=T0 + WEEK)  # changed a week later
    with any_db.session() as s:
        week1 = cast_between(s, team_id, T0, T0 + WEEK)
        week2 = cast_between(s, team_id, T0 + WEEK, T0 + 2 * WEEK)
        assert not withdraw_vote(s, card=card_of(s, card_id), voter="x:1", emoji="👎")  # no longer its emoji
        assert withdraw_vote(s, card=card_of(s, card_id), voter="x:2", emoji="🔥")
        after = feedback_of_activities(s, activity_ids=[card_of(s, card_id).activity_id])
    assert week1 == FeedbackSummary(rating=5.0, rating_count=1, nps=None)
    assert week2 == FeedbackSummary(rating=4.0, rating_count=1, nps=None)
    assert after == FeedbackSummary(rating=4.0, rating_count=1, nps=None)


def test_the_summary_merges_votes_and_anonymous_tallies_and_keeps_teams_apart(any_db):
    team_id, rating_card = setup_card(any_db)
    other_team, other_card = setup_card(any_db, team_name="other")
    with any_db.session() as s:
        activity_id = card_of(s, rating_card).activity_id
        nps_card = create_card(s, team_id=team_id, activity_id=activity_id, mode=Mode.POLL, scale=Scale.NPS,
                               platform="telegram", chat_id="-1", created_by=None, now=T0, anonymous=True)
        for voter, score in (("a", 10), ("b", 7), ("c", 3)):
            cast_vote(s, card=nps_card, voter=voter, score=score, now=T0)
        replace_tallies(s, card=nps_card, tallies={"9": (9, 2), "10": (10, 1), "0": (0, 0)}, now=T0)
        replace_tallies(s, card=card_of(s, rating_card), tallies={"🔥": (5, 3), "👎": (1, 1)}, now=T0)
        cast_vote(s, card=card_of(s, rating_card), voter="d", score=3, now=T0)
        cast_vote(s, card=card_of(s, other_card), voter="d", score=1, now=T0)
    with any_db.session() as s:
        summary = feedback_of_activities(s, activity_ids=[activity_id])
        cast_that_week = cast_between(s, team_id, T0, T0 + WEEK)
        empty = cast_between(s, team_id, T0 + WEEK, T0 + 2 * WEEK)
    # Rating: 5+5+5+1 (tallies) + 3 = 19 over 5. NPS: promoters 10, 9, 9, 10; passive 7; detractor 3.
    assert summary == FeedbackSummary(rating=19 / 5, rating_count=5, nps=NpsResult(50.0, 4, 1, 1))
    assert cast_that_week == summary
    assert empty == NOTHING


def test_hiring_influence_counts_the_surveys_asked_in_the_period_with_both_denominators(any_db):
    team_id, _card = setup_card(any_db)
    with any_db.session() as s:
        for i, (answer, at) in enumerate([(HireAnswer.YES, T0), (HireAnswer.PARTLY, T0), (HireAnswer.NO, T0),
                                          (HireAnswer.YES, T0 + WEEK), (None, T0)]):
            survey, created = start_survey(s, team_id=team_id, platform="slack", user_id=f"U{i}",
                                           display_name=f"hire{i}", asked_by=None, now=T0 + i * timedelta(days=2))
            assert created
            if answer is not None:
                answer_survey(s, survey=survey, answer=answer, now=at)
        again, created = start_survey(s, team_id=team_id, platform="slack", user_id="U0", display_name="hire0",
                                      asked_by=None, now=T0)
        assert not created and again.answer == "yes"
    with any_db.session() as s:
        def influence(team: int, start: date, end: date) -> HiringInfluence:
            return hiring_influence(surveys_for(s, team_id=team, start=start, end=end, timezone="UTC",
                                                scope=EVERYTHING))

        # Asked on 2, 4 and 6 November (yes, partly, no), on the 8th (yes, answered a week later) and the
        # 10th (no answer yet). The week of 2 November: 2 of 3 answered, 3 surveyed; the next: 1 of 1, 2 surveyed.
        assert influence(team_id, date(2026, 11, 2), date(2026, 11, 8)) == HiringInfluence(1, 1, 3, 3)
        assert influence(team_id, date(2026, 11, 8), date(2026, 11, 15)) == HiringInfluence(1, 0, 1, 2)
        assert influence(team_id + 1, date(2026, 11, 2), date(2026, 11, 15)) == HiringInfluence(0, 0, 0, 0)


def test_the_period_summary_is_a_range_scan_on_the_covering_index(db):
    with db.engine.connect() as conn:
        plan = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT scale, count(*), sum(score) FROM vote "
            "WHERE team_id = 1 AND cast_at >= '2026-11-01' AND cast_at < '2026-12-01' GROUP BY scale"
        ).all()
    details = " ".join(str(row[-1]) for row in plan)
    assert "USING COVERING INDEX ix_vote_team_scale_cast" in details


# --- under load ---------------------------------------------------------------------------------------------


def burst(router: Router, events: list[ReactionEvent], *, threads: int) -> None:
    with ThreadPoolExecutor(max_workers=threads) as pool:
        assert all(r == [] for r in pool.map(router.handle_event, events))


def reactions_on_one_card(any_db, clock, *, voters: int, repeats: int, changes: int, threads: int) -> float:
    """``voters`` people react 🔥 at once, ``repeats`` of them twice, then ``changes`` of them switch to 👎;
    returns the seconds it took. Every vote must be stored once, with its latest emoji."""
    router = Router(any_db, clock=clock)
    with any_db.session() as s:
        team = get_or_create_team_for_chat(s, platform="telegram", scope_id="-100", name="T", timezone="UTC")
        activity = create_activity(s, team_id=team.id, kind=Kind.TALK, title="X", on=date(2026, 11, 1),
                                   status=Status.DONE, values={}, tags=(), owner_id=None, created_by=None)
        card = create_card(s, team_id=team.id, activity_id=activity.id, mode=Mode.EMOJI, scale=Scale.RATING,
                           platform="telegram", chat_id="-100", created_by=None, now=clock())
        track = f"card:{card.id}"
    chat = ChatRef(platform="telegram", chat_id="-100")
    router.handle_event(Posted(track=track, sent=SentMessage(chat=chat, message_id="77")))

    def reaction(i: int, emoji: str) -> ReactionEvent:
        user = UserRef(platform="telegram", user_id=str(10_000 + i), display_name=f"u{i}")
        return ReactionEvent(chat=chat, message_id="77", user=user, emoji=emoji, added=True)

    started = time.perf_counter()
    burst(router, [reaction(i, "🔥") for i in range(voters)] + [reaction(i, "🔥") for i in range(repeats)],
          threads=threads)
    burst(router, [reaction(i, "👎") for i in range(changes)], threads=threads)
    elapsed = time.perf_counter() - started

    with any_db.session() as s:
        stored = s.exec(select(Vote.score, func.count()).group_by(Vote.score)).all()
        summary = feedback_of_activities(s, activity_ids=[activity.id])
        assert s.get(Team, team.id) is not None
    assert dict(stored) == {5: voters - changes, 1: changes}
    assert summary.rating_count == voters
    assert summary.rating == pytest.approx((5 * (voters - changes) + changes) / voters)
    return elapsed


def test_concurrent_reactions_are_all_stored_once(any_db, clock):
    reactions_on_one_card(any_db, clock, voters=300, repeats=100, changes=100, threads=8)


def test_ten_thousand_reactions_in_a_minute_on_postgres_give_the_exact_count(postgres_schema_url, clock):
    from tests.conftest import postgres_db

    db = postgres_db(*postgres_schema_url)
    db.upgrade()
    try:
        elapsed = reactions_on_one_card(db, clock, voters=8_000, repeats=1_000, changes=1_000, threads=12)
    finally:
        db.dispose()
    print(f"\n10,000 reactions on one card on PostgreSQL: {elapsed:.1f} s ({10_000 / elapsed:.0f}/s)")
    assert elapsed < 60


def test_a_card_posted_later_in_the_same_transaction_is_found_by_the_reactions_after_it(any_db):
    """The reaction path remembers the cards it found for the rest of its transaction (a batch of votes is
    mostly on one card) — but not a miss: a card posted later in the batch must be found."""
    from storage.feedback.cards import reaction_target

    team_id, card_id = setup_card(any_db)
    with any_db.session() as s:
        found = reaction_target(s, platform="console", chat_id="T", message_id="m-1")
        assert found is not None and found.id == card_id
        assert reaction_target(s, platform="console", chat_id="T", message_id="m-2") is None
        second = create_card(s, team_id=team_id, activity_id=found.activity_id, mode=Mode.EMOJI, scale=Scale.RATING,
                             platform="console", chat_id="T", created_by=None, now=T0)
        card_posted(s, card_id=second.id, platform="console", chat_id="T", message_id="m-2", poll_id=None)
        later = reaction_target(s, platform="console", chat_id="T", message_id="m-2")
        assert later is not None and later.id == second.id


def test_the_votes_of_many_activities_are_summed_across_statements(any_db, monkeypatch):
    import storage.feedback.results as results

    first_team, first_card = setup_card(any_db)
    with any_db.session() as s:
        second = create_activity(s, team_id=first_team, kind=Kind.TALK, title="Y", on=date(2026, 11, 3),
                                 status=Status.DONE, values={}, tags=(), owner_id=None, created_by=None)
        card = create_card(s, team_id=first_team, activity_id=second.id, mode=Mode.EMOJI, scale=Scale.RATING,
                           platform="console", chat_id="T", created_by=None, now=T0)
        card_posted(s, card_id=card.id, platform="console", chat_id="T", message_id="m-2", poll_id=None)
        cast_vote(s, card=card_of(s, first_card), voter="a", score=5, now=T0)
        cast_vote(s, card=card_of(s, card.id), voter="a", score=2, now=T0)
        ids = [card_of(s, first_card).activity_id, second.id]
    monkeypatch.setattr(results, "ID_CHUNK", 1)  # one statement per activity
    with any_db.session() as s:
        assert feedback_of_activities(s, activity_ids=ids) == FeedbackSummary(rating=3.5, rating_count=2, nps=None)


def test_late_votes_name_the_activities_that_got_most_and_count_all_of_them(any_db):
    team_id, _card = setup_card(any_db)
    with any_db.session() as s:
        for n in range(7):  # activity n gets n + 1 votes, all a week after it was held
            activity = create_activity(s, team_id=team_id, kind=Kind.TALK, title=f"A{n}", on=date(2026, 10, 20),
                                       status=Status.DONE, values={}, tags=(), owner_id=None, created_by=None)
            card = create_card(s, team_id=team_id, activity_id=activity.id, mode=Mode.EMOJI, scale=Scale.RATING,
                               platform="console", chat_id="T", created_by=None, now=T0)
            card_posted(s, card_id=card.id, platform="console", chat_id="T", message_id=f"a{n}", poll_id=None)
            for v in range(n + 1):
                cast_vote(s, card=card_of(s, card.id), voter=f"v{v}", score=4, now=T0)
    with any_db.session() as s:
        late = late_feedback(s, team_id=team_id, since=T0, until=T0 + WEEK, held_before=date(2026, 11, 1), top=5)
        assert [f.activity.title for f in late.top] == ["A6", "A5", "A4", "A3", "A2"]
        assert [f.summary.rating_count for f in late.top] == [7, 6, 5, 4, 3]
        assert (late.activities, late.summary.rating_count, late.summary.rating) == (7, 28, 4.0)  # 1 + 2 + … + 7
