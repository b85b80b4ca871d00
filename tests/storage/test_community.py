"""Community members and interactions on SQLite and PostgreSQL: one row per person per team and one per thing
they did, and /forget me turning a person's votes into anonymous counts with every result unchanged."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from storage.community.forget import forget_person
from storage.community.members import InteractionKind, card_subject, note_interaction, withdraw_interaction
from storage.feedback.results import activity_feedback, feedback_of_activities
from storage.feedback.votes import cast_vote, replace_tallies
from storage.models import CommunityMember, FeedbackCard, Interaction, Vote, VoteTally
from tests.storage.test_votes import T0, WEEK, card_of, cast_between, setup_card

DAY = timedelta(days=1)


def note(s, team_id: int, card_id: int, user_id: str, *, kind=InteractionKind.REACTION, at=T0, name="carol"):
    return note_interaction(s, team_id=team_id, platform="telegram", user_id=user_id, display_name=name, kind=kind,
                            subject=card_subject(card_id), activity_id=None, now=at)


def test_a_person_is_one_member_per_team_and_a_repeat_moves_the_time_instead_of_counting_twice(any_db):
    team_id, card_id = setup_card(any_db)
    with any_db.session() as s:
        first = note(s, team_id, card_id, "7")
        again = note(s, team_id, card_id, "7", at=T0 + DAY, name="Carol D.")  # a changed reaction, a new name
        poll = note(s, team_id, card_id, "7", kind=InteractionKind.POLL_ANSWER, at=T0 + 2 * DAY, name="Carol D.")
        assert first == again == poll
    with any_db.session() as s:
        (member,) = s.exec(select(CommunityMember)).all()
        assert (member.display_name, member.first_seen, member.last_seen) == ("Carol D.", T0, T0 + 2 * DAY)
        assert sorted((i.kind, i.at) for i in s.exec(select(Interaction))) == [
            ("poll_answer", T0 + 2 * DAY), ("reaction", T0 + DAY)]
        withdraw_interaction(s, team_id=team_id, platform="telegram", user_id="7", kind=InteractionKind.REACTION,
                             subject=card_subject(card_id))
    with any_db.session() as s:
        assert [i.kind for i in s.exec(select(Interaction))] == ["poll_answer"]
        assert len(s.exec(select(CommunityMember)).all()) == 1  # taking a reaction back keeps the member


def test_a_name_that_is_only_the_user_id_never_replaces_a_known_name(any_db):
    """A door that has not looked the person up yet (Slack's users.info runs after the vote) passes their id as
    the name: it stands in for a new member and changes nothing for a known one."""
    team_id, card_id = setup_card(any_db)
    with any_db.session() as s:
        note(s, team_id, card_id, "7", name="7")
        (member,) = s.exec(select(CommunityMember)).all()
        assert member.display_name == "7"
    with any_db.session() as s:
        note(s, team_id, card_id, "7", at=T0 + DAY, name="Carol D.")
        note(s, team_id, card_id, "7", kind=InteractionKind.POLL_ANSWER, at=T0 + 2 * DAY, name="7")
    with any_db.session() as s:
        (member,) = s.exec(select(CommunityMember)).all()
        assert (member.display_name, member.last_seen) == ("Carol D.", T0 + 2 * DAY)


def test_forgetting_a_person_erases_them_and_keeps_every_result(any_db):
    team_id, card_id = setup_card(any_db)
    other_team, other_card = setup_card(any_db, team_name="U")
    with any_db.session() as s:
        card = card_of(s, card_id)
        cast_vote(s, card=card, voter="telegram:7", score=5, now=T0)
        cast_vote(s, card=card, voter="telegram:8", score=2, now=T0 + WEEK)
        cast_vote(s, card=card_of(s, other_card), voter="telegram:7", score=4, now=T0 + WEEK)
        note(s, team_id, card_id, "7")
        note(s, team_id, card_id, "8", name="dave")
        note(s, other_team, other_card, "7")
        activity_id = card.activity_id

    def results() -> tuple[object, ...]:
        with any_db.session() as s:
            return (
                activity_feedback(s, activity_id=activity_id),
                cast_between(s, team_id, T0, T0 + DAY),
                cast_between(s, team_id, T0 + DAY, T0 + 2 * WEEK),
                feedback_of_activities(s, activity_ids=[card_of(s, other_card).activity_id]),
            )

    before = results()
    with any_db.session() as s:
        forgotten = forget_person(s, platform="telegram", user_id="7", voter="telegram:7")
    assert (forgotten.members, forgotten.interactions, forgotten.votes) == (2, 2, 2)
    assert results() == before
    with any_db.session() as s:
        assert [v.voter for v in s.exec(select(Vote))] == ["telegram:8"]
        assert [m.user_id for m in s.exec(select(CommunityMember))] == ["8"]
        (dave,) = s.exec(select(CommunityMember)).all()
        assert [i.member_id for i in s.exec(select(Interaction))] == [dave.id]
        assert sorted((t.score, t.count) for t in s.exec(select(VoteTally))) == [(4, 1), (5, 1)]
        # A platform's newer anonymous totals replace its own counts, never the forgotten votes.
        replace_tallies(s, card=s.get(FeedbackCard, card_id), tallies={"🔥": (5, 2)}, now=T0)
    with any_db.session() as s:
        assert activity_feedback(s, activity_id=activity_id).rating_count == 4  # dave, the forgotten 5, 🔥 × 2
