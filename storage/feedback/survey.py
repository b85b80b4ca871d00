"""The new-hire survey: did our talks, articles or events influence the decision to join?"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, select

from storage.models import HireSurvey


class HireAnswer(StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"

def start_survey(
    session: Session, *, team_id: int, platform: str, user_id: str, display_name: str, asked_by: int | None,
    now: datetime,
) -> tuple[HireSurvey, bool]:
    """The person's survey in this team, and whether it is new. Asking again someone who has not answered
    yet is fine (the question is sent again); one person answers once per team."""
    survey = session.exec(
        select(HireSurvey).where(
            HireSurvey.team_id == team_id, HireSurvey.platform == platform, HireSurvey.user_id == user_id
        )
    ).first()
    if survey is not None:
        return survey, False
    survey = HireSurvey(
        team_id=team_id, platform=platform, user_id=user_id, display_name=display_name[:200], asked_by=asked_by,
        asked_at=now,
    )
    session.add(survey)
    session.flush()
    return survey, True


def get_survey(session: Session, *, survey_id: int) -> HireSurvey | None:
    return session.get(HireSurvey, survey_id)


def answer_survey(
    session: Session, *, survey: HireSurvey, answer: HireAnswer, now: datetime, activity_id: int | None = None
) -> None:
    """Record (or change) the answer; the answer's time is when it was first given."""
    survey.answer = answer.value
    survey.answered_at = survey.answered_at or now
    if activity_id is not None:
        survey.activity_id = activity_id
    session.add(survey)
    session.flush()
