"""``/forget me``: a person's community identity erased, their votes kept as anonymous counts.

Each of the person's votes becomes one count in the card's ``vote_tally`` under an option of its own
(``~<score>@<cast time>``), with the vote's cast time as the tally's time, so every rating, NPS and period
result reads exactly as before; then the vote (which names the voter) is deleted. Tallies whose option starts
with ``~`` are never replaced by a platform's newer totals (see :func:`storage.feedback.votes.replace_tallies`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import delete
from sqlmodel import Session, col, or_, select

from storage.community.polls import forget_voter
from storage.feedback.votes import FORGOTTEN_PREFIX
from storage.models import CommunityMember, CommunityPollOrder, Interaction, Vote, VoteOrder, VoteTally


@dataclass(frozen=True)
class Forgotten:
    members: int  # community-member records erased (one per team)
    interactions: int
    votes: int  # votes turned into anonymous counts


def forget_person(session: Session, *, platform: str, user_id: str, voter: str) -> Forgotten:
    """Erase the person (``platform``/``user_id``, voting as ``voter``) from every team's community."""
    found = list(session.exec(
        select(CommunityMember).where(CommunityMember.platform == platform, CommunityMember.user_id == user_id)
    ))
    # The person is every identity merged with theirs (/member merge) too.
    people = {m.merged_into or m.id for m in found}
    members = list(session.exec(select(CommunityMember).where(
        or_(col(CommunityMember.id).in_(people), col(CommunityMember.merged_into).in_(people)))))
    member_ids = [m.id for m in members]
    # Votes of the merged identities name the same person: they go too (voter keys are "platform:user id").
    voters = {voter, *(f"{m.platform}:{m.user_id}"[:96] for m in members)}
    interactions = len(session.exec(
        select(Interaction.id).where(col(Interaction.member_id).in_(member_ids))
    ).all()) if member_ids else 0
    if member_ids:
        session.exec(delete(Interaction).where(col(Interaction.member_id).in_(member_ids)))
        # The merged identities first: they point at their member.
        session.exec(delete(CommunityMember).where(col(CommunityMember.merged_into).in_(member_ids)))
        session.exec(delete(CommunityMember).where(col(CommunityMember.id).in_(member_ids)))
    # The stamps that order votes and poll answers name the voter too (each merged identity's as well).
    session.exec(delete(VoteOrder).where(col(VoteOrder.voter).in_(voters)))
    session.exec(delete(CommunityPollOrder).where(col(CommunityPollOrder.voter).in_(voters)))
    # Community poll answers stay as counts under a key that names no one (a fresh one per erasure).
    for key in sorted(voters):  # a key per identity: two identities may have answered the same poll alike
        forget_voter(session, voter=key, anonymous_as=f"{FORGOTTEN_PREFIX}{uuid.uuid4().hex}")
    votes = list(session.exec(select(Vote).where(col(Vote.voter).in_(voters))))
    for vote in votes:
        option = f"{FORGOTTEN_PREFIX}{vote.score}@{vote.cast_at:%Y%m%dT%H%M%S.%f}"
        tally = session.get(VoteTally, (vote.card_id, option))
        if tally is None:
            session.add(VoteTally(card_id=vote.card_id, option=option, team_id=vote.team_id, scale=vote.scale,
                                  score=vote.score, count=1, updated_at=vote.cast_at))
        else:
            tally.count += 1
            session.add(tally)
        session.delete(vote)
    session.flush()
    return Forgotten(members=len(members), interactions=interactions, votes=len(votes))
