"""How community feedback reads in /show and /stats: rating, NPS and hiring influence, "no answers yet"
when there are none (never 0)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session

from handlers import render
from handlers.i18n import _, ngettext
from storage.feedback.emoji_map import emoji_map_of
from storage.feedback.results import (
    NO_FEEDBACK,
    FeedbackSummary,
    activity_feedback,
    feedback_by_segment,
    feedback_summary,
)
from storage.feedback.survey import hiring_counts
from storage.metrics import NpsResult, hiring_influence
from storage.models import Activity, Team
from storage.periods import Period
from storage.selection import EVERYTHING, WHOLE, Scope


def no_answers() -> str:
    return _("no answers yet")


def answers(n: int) -> str:
    return ngettext("{n} answer", "{n} answers", n).format(n=render.number(n))


def rating_text(rating: float | None, count: int) -> str:
    """``4.3 of 5 (12 answers)``, or "no answers yet"."""
    if rating is None:
        return no_answers()
    return _("{rating} of 5 ({answers})").format(rating=render.decimal(rating), answers=answers(count))


def nps_text(result: NpsResult | None) -> str:
    """``+40 (3 promoters, 1 passive, 1 detractor; 5 answers)``, or "no answers yet"."""
    if result is None:
        return no_answers()
    parts = _("{promoters} promoters, {passives} passives, {detractors} detractors").format(
        promoters=result.promoters, passives=result.passives, detractors=result.detractors
    )
    return f"{render.signed(result.score)} ({parts}; {answers(result.count)})"


def distribution_text(distribution: Mapping[int, int], emoji_by_score: Mapping[int, str]) -> str:
    """``🔥 5: 6 · 👍 4: 4 · 3: 1`` — each score with its emoji (when the team's map has one) and answers."""
    shown = []
    for score, n in distribution.items():
        label = f"{emoji_by_score[score]} {score}" if score in emoji_by_score else str(score)
        shown.append(f"{label}: {render.number(n)}")
    return " · ".join(shown)


def activity_lines(session: Session, *, activity: Activity, team: Team) -> list[str]:
    """The /show lines: community rating with its distribution, and NPS."""
    assert activity.id is not None  # read from the database
    result = activity_feedback(session, activity_id=activity.id)
    emoji_by_score: dict[int, str] = {}
    for emoji, score in emoji_map_of(team).items():
        emoji_by_score.setdefault(score, emoji)
    rating = f"• {_('community rating')}: {rating_text(result.rating, result.rating_count)}"
    if result.distribution:
        rating += " — " + distribution_text(result.distribution, emoji_by_score)
    lines = [rating, f"• {_('NPS')}: {nps_text(result.nps)}"]
    if result.open_polls:
        open_polls = ngettext(
            "{n} poll open; /poll close {id} freezes it", "{n} polls open; /poll close {id} freezes them",
            result.open_polls,
        )
        lines.append("• " + open_polls.format(n=result.open_polls, id=activity.id))
    return lines


def utc_bounds(start: date, end: date, timezone: str) -> tuple[datetime, datetime]:
    """Local days [start, end) of the team's time zone as aware UTC datetimes."""
    zone = ZoneInfo(timezone)
    return (
        datetime.combine(start, time(), tzinfo=zone).astimezone(UTC),
        datetime.combine(end, time(), tzinfo=zone).astimezone(UTC),
    )


def period_lines(
    session: Session, *, team: Team, current: Period, previous: Period, scope: Scope = EVERYTHING
) -> list[str]:
    """The /stats lines: rating, NPS and hiring influence in the period, each against the previous one.
    For a slice, the rating and NPS of its activities' cards, and no hiring influence: a new hire answers
    about DevRel as a whole, not about a slice of it."""
    assert team.id is not None
    now, hires = period_feedback(session, team=team, period=current, scope=scope)
    before, hires_before = period_feedback(session, team=team, period=previous, scope=scope)
    was = _("was")
    rating_before = render.decimal(before.rating)
    nps_before = render.signed(before.nps.score if before.nps is not None else None)
    share, share_before = hiring_influence(*hires), hiring_influence(*hires_before)
    if share is None:
        hiring = no_answers()
    else:
        yes, partly, surveyed = hires
        hiring = _("{percent} ({n} of {surveyed} surveyed new hires)").format(
            percent=render.percent(100 * share), n=yes + partly, surveyed=surveyed
        )
    hiring_before = render.percent(100 * share_before) if share_before is not None else render.DASH
    lines = [
        f"• {_('community rating')}: {rating_text(now.rating, now.rating_count)} ({was} {rating_before})",
        f"• {_('NPS')}: {nps_text(now.nps)} ({was} {nps_before})",
    ]
    if scope.is_everything:
        lines.append(f"• {_('hiring influence')}: {hiring} ({was} {hiring_before})")
    return lines


def period_feedback(
    session: Session, *, team: Team, period: Period, scope: Scope = EVERYTHING
) -> tuple[FeedbackSummary, tuple[int, int, int]]:
    """Rating and NPS, and hiring influence's (yes, partly, surveyed), in the period; for a slice, the
    feedback on its activities and no hiring counts (zeros)."""
    assert team.id is not None
    if not scope.is_everything:
        slice_feedback = feedback_by_segment(session, team_id=team.id, start=period.start, end=period.end,
                                             scope=scope).get(WHOLE, NO_FEEDBACK)
        return slice_feedback, (0, 0, 0)
    start, end = utc_bounds(period.start, period.end, team.timezone)
    return (
        feedback_summary(session, team_id=team.id, start=start, end=end),
        hiring_counts(session, team_id=team.id, start=start, end=end),
    )
