"""A chat's own team merging into the team it joined: its feedback goes along."""

from __future__ import annotations

from sqlmodel import Session, col, update

from storage.models import FeedbackCard, HireSurvey, Vote, VoteTally


def move_team_feedback(session: Session, *, source_team_id: int, target_team_id: int) -> None:
    """The source team's cards, votes, tallies and surveys now belong to the target team."""
    for model in (FeedbackCard, Vote, VoteTally, HireSurvey):
        session.exec(update(model).where(col(model.team_id) == source_team_id).values(team_id=target_team_id))
