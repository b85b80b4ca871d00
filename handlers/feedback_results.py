"""How the community's votes read (/show, /stats, /report, the digest): rating and NPS, "no answers yet" when
there are none (never 0)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session

from handlers import render
from handlers.i18n import _, ngettext
from storage.feedback.emoji_map import emoji_map_of
from storage.feedback.results import activity_feedback
from storage.metrics.scores import NpsResult
from storage.models import Activity, Team


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
    parts = ", ".join((
        ngettext("{n} promoter", "{n} promoters", result.promoters).format(n=render.number(result.promoters)),
        ngettext("{n} passive", "{n} passives", result.passives).format(n=render.number(result.passives)),
        ngettext("{n} detractor", "{n} detractors", result.detractors).format(n=render.number(result.detractors)),
    ))
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
