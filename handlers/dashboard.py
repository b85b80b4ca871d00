"""What the digest's chart says, decided from the ledger: the headline figures of the period against the one
before and against the team's goals, and one panel per quantity over the weeks or months leading up to it."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel.dates import format_date
from sqlmodel import Session

from handlers import render
from handlers.chart import DashboardLayout, Headline, Panel, Series, Tone
from handlers.chart_style import KIND_COLOURS
from handlers.goal_text import pace_text, period_label
from handlers.i18n import _, babel_locale, ngettext
from storage.domain import Kind
from storage.goals import LEVEL_METRICS, GoalProgress, goal_period, progress
from storage.goals import goals_on as stored_goals_on
from storage.metrics.shares import percent_change
from storage.models import Goal, Team
from storage.periods import Period

NAN = math.nan
SINGLE = "#3D4F5F"  # one quantity in a panel: colour carries no category, so a quiet slate
NEW_MEMBERS = "#D55E00"  # Okabe–Ito vermillion, a colour no kind uses: the new members' line over the slate bars


@dataclass(frozen=True)
class BucketNumbers:
    """What a panel needs of one week or month (counts are real zeros; None where nothing was measured)."""

    counts: Mapping[Kind, int]
    reach: int
    contacts: int
    cost_per_contact: float | None
    rating: float | None
    nps: float | None
    active_members: int = 0  # community members with an interaction in the bucket
    new_members: int = 0  # first seen in it


@dataclass(frozen=True)
class HeadlineNumbers:
    """The period's figures (and the previous period's) for the strip."""

    activities: int
    reach: int
    contacts: int
    cost_per_contact: float | None
    rating: float | None
    nps: float | None
    plan: float | None  # 0..1
    hires: int


def team_goals(session: Session, *, team: Team, day: date) -> dict[str, Goal]:
    """The team-wide goals (no tag, no person) whose period contains ``day``, by metric; the shortest period
    wins when a month and a quarter both set one."""
    found: dict[str, Goal] = {}
    for goal in stored_goals_on(session, team_id=team.id or 0, day=day):
        if goal.tag is None and goal.member_id is None:
            found[goal.metric] = goal  # goals_on lists years, then quarters, then months
    return found


def build_layout(
    *, title: str, period: Period, buckets: Sequence[Period], now: HeadlineNumbers, before: HeadlineNumbers,
    series: Sequence[BucketNumbers], goals: Mapping[str, GoalProgress], currency: str,
) -> DashboardLayout:
    weekly = bool(buckets) and buckets[0].name == "week"
    return DashboardLayout(
        title=title,
        caption=caption(buckets),
        ticks=ticks(buckets),
        headlines=headlines(now, before, goals, currency=currency, previous=_previous_word(period)),
        panels=panels(series, buckets, goals, currency=currency, weekly=weekly),
        legend=tuple((kind_word(k), KIND_COLOURS[k]) for k in Kind),
    )


def caption(buckets: Sequence[Period]) -> str:
    if not buckets:
        return ""
    last = buckets[-1]
    if last.name == "week":
        return ngettext("by week · {n} week to {day}", "by week · {n} weeks to {day}", len(buckets)).format(
            n=len(buckets), day=format_date(last.last_day, "d MMMM y", locale=babel_locale()))
    return ngettext("by month · {n} month to {month}", "by month · {n} months to {month}", len(buckets)).format(
        n=len(buckets), month=format_date(last.start, "LLLL y", locale=babel_locale()))


def ticks(buckets: Sequence[Period]) -> tuple[str, ...]:
    """Weeks by the day they start, the month's name under the first week and where the month changes
    ("5\nOct", "12", "19", "26", "2\nNov"); months by name, the year under the first and under January."""
    labels: list[str] = []
    locale = babel_locale()
    for i, bucket in enumerate(buckets):
        if bucket.name == "week":
            label = str(bucket.start.day)
            if i == 0 or bucket.start.month != buckets[i - 1].start.month:
                label += "\n" + format_date(bucket.start, "LLL", locale=locale)
        else:
            label = format_date(bucket.start, "LLL", locale=locale)
            if i == 0 or bucket.start.month == 1:
                label += "\n" + str(bucket.start.year)
        labels.append(label)
    return tuple(labels)


def kind_word(kind: Kind) -> str:
    words = {Kind.TALK: _("talks"), Kind.EVENT: _("events"), Kind.PARTNERSHIP: _("partnerships"),
             Kind.PUBLICATION: _("publications"), Kind.SOCIAL: _("social posts")}
    return words[kind]


def _previous_word(period: Period) -> str:
    words = {"week": _("vs previous week"), "month": _("vs previous month"), "quarter": _("vs previous quarter"),
             "year": _("vs previous year")}
    return words[period.name]


def change(current: float | None, previous: float | None, *, lower_is_better: bool = False,
           previous_word: str) -> tuple[str, Tone]:
    """"▲ 12% vs previous week" and whether that is good news; arrows, not only colours, carry the direction."""
    if current is None or previous is None:
        return "", "neutral"
    delta = percent_change(current, previous)
    if delta is None:
        return (_("new") if current else ""), "neutral"
    if render.whole(delta) == 0:
        return f"±{render.percent(0)} {previous_word}", "neutral"
    better = (delta < 0) if lower_is_better else (delta > 0)
    arrow = "▲" if delta > 0 else "▼"
    return f"{arrow} {render.percent(abs(delta))} {previous_word}", ("good" if better else "bad")


def level_change(metric: str, current: float | None, previous: float | None, *,
                 previous_word: str) -> tuple[str, Tone]:
    """Levels change by points, not percent: "▲ 0.3 vs previous week" (rating), "▼ 12 pts …" (NPS)."""
    if current is None or previous is None:
        return "", "neutral"
    delta = current - previous
    points = int(render.whole(abs(delta)))
    shown = render.decimal(abs(delta)) if metric == "rating" else ngettext("{n} pt", "{n} pts", points).format(
        n=render.number(points))
    if (metric == "rating" and shown == render.decimal(0)) or (metric != "rating" and points == 0):
        return f"±{shown} {previous_word}", "neutral"
    return f"{'▲' if delta > 0 else '▼'} {shown} {previous_word}", ("good" if delta > 0 else "bad")


def goal_note(goals: Mapping[str, GoalProgress], metric: str) -> str:
    found = goals.get(metric)
    if found is None:
        return ""
    period = period_label(found.goal)
    if metric in LEVEL_METRICS:
        return _("{period}: {value}, goal {target} · {pace}").format(
            period=period, value=_level(metric, found.value), target=_level(metric, found.goal.target),
            pace=pace_text(found.pace))
    share = render.percent(100 * found.share if found.share is not None else None)
    return _("{period} goal: {share} · {pace}").format(period=period, share=share, pace=pace_text(found.pace))


def _level(metric: str, value: float | None) -> str:
    if value is None:
        return render.DASH
    return render.signed(value) if metric == "nps" else render.decimal(value)


def headlines(now: HeadlineNumbers, before: HeadlineNumbers, goals: Mapping[str, GoalProgress], *, currency: str,
              previous: str) -> tuple[Headline, ...]:
    def make(label: str, value: str, current: float | None, earlier: float | None, metric: str,
             lower_is_better: bool = False) -> Headline:
        text, tone = change(current, earlier, lower_is_better=lower_is_better, previous_word=previous)
        return Headline(label=label, value=value, change=text, tone=tone, goal=goal_note(goals, metric))

    def level(label: str, metric: str, current: float | None, earlier: float | None) -> Headline:
        text, tone = level_change(metric, current, earlier, previous_word=previous)
        return Headline(label=label, value=_level(metric, current), change=text, tone=tone,
                        goal=goal_note(goals, metric))

    money = render.money(None if now.cost_per_contact is None else _decimal(now.cost_per_contact), currency)
    return (
        make(_("Activities"), render.number(now.activities), now.activities, before.activities, "activities"),
        make(_("Reach"), render.compact(now.reach), now.reach, before.reach, "reach"),
        make(_("Contacts"), render.number(now.contacts), now.contacts, before.contacts, "contacts"),
        make(_("Cost per contact"), money, now.cost_per_contact, before.cost_per_contact, "",
             lower_is_better=True),
        level(_("Rating"), "rating", now.rating, before.rating),
        level(_("NPS"), "nps", now.nps, before.nps),
        make(_("Plan fulfilment"), render.percent(None if now.plan is None else 100 * now.plan), None, None, ""),
        make(_("Hires"), render.number(now.hires), now.hires, before.hires, "hires"),
    )


def _decimal(value: float) -> Decimal:
    return Decimal(str(value))


def panels(series: Sequence[BucketNumbers], buckets: Sequence[Period], goals: Mapping[str, GoalProgress], *,
           currency: str, weekly: bool) -> tuple[Panel, ...]:
    def values(pick: Callable[[BucketNumbers], float | None]) -> tuple[float, ...]:
        return tuple(NAN if (v := pick(b)) is None else float(v) for b in series)

    no_answers = _("no answers yet")
    answer_gaps = _("gaps: weeks without answers") if weekly else _("gaps: months without answers")
    no_cost_gaps = _("gaps: no contacts with a cost")
    return (
        Panel(_("Activities by kind"), _("activities"),
              tuple(Series(kind_word(k), values(lambda b, k=k: b.counts.get(k, 0)), KIND_COLOURS[k])  # type: ignore[misc]
                    for k in Kind),
              *pace_target(goals.get("activities"), buckets, weekly=weekly)),
        Panel(_("Reach"), _("people and views"), (Series(_("reach"), values(lambda b: b.reach), SINGLE),),
              *pace_target(goals.get("reach"), buckets, weekly=weekly)),
        Panel(_("Contacts"), _("contacts"), (Series(_("contacts"), values(lambda b: b.contacts), SINGLE),),
              *pace_target(goals.get("contacts"), buckets, weekly=weekly)),
        Panel(_("Cost per contact"), currency,
              (Series(_("cost per contact"), values(lambda b: b.cost_per_contact), SINGLE, style="line"),),
              empty_text=_("no contacts with a cost yet"), gap_text=no_cost_gaps),
        Panel(_("Rating (1–5)"), _("mean score"),
              (Series(_("rating"), values(lambda b: b.rating), SINGLE, style="line"),),
              *level_target(goals.get("rating")), y_range=(1.0, 5.5), empty_text=no_answers,
              gap_text=answer_gaps, value_text=render.decimal),
        Panel(_("NPS (−100…100)"), _("NPS"),
              (Series(_("NPS"), values(lambda b: b.nps), SINGLE, style="line"),),
              *level_target(goals.get("nps")), y_range=(-100.0, 125.0), empty_text=no_answers,
              gap_text=answer_gaps, value_text=render.signed),
        Panel(_("Community members"), _("active (bars) · new (line)"),
              (Series(_("active members"), values(lambda b: b.active_members), SINGLE),
               Series(_("new members"), values(lambda b: b.new_members), NEW_MEMBERS, style="line"))),
    )


def pace_target(found: GoalProgress | None, buckets: Sequence[Period], *, weekly: bool) -> tuple[float | None, str]:
    """A counted goal spread evenly over its period, per bucket: 500k a quarter is 38k a week."""
    if found is None or not buckets:
        return None, ""
    goal_days = (goal_period(found.goal).end - goal_period(found.goal).start).days
    bucket_days = sum((b.end - b.start).days for b in buckets) / len(buckets)
    per_bucket = found.goal.target * bucket_days / goal_days
    shown = render.compact(per_bucket) if per_bucket >= 1000 else render.decimal(
        per_bucket, digits=0 if per_bucket >= 10 else 1)
    label = _("goal pace {n} a week") if weekly else _("goal pace {n} a month")
    return per_bucket, label.format(n=shown)


def level_target(found: GoalProgress | None) -> tuple[float | None, str]:
    if found is None:
        return None, ""
    return found.goal.target, _("goal {n}").format(n=_level(found.goal.metric, found.goal.target))


def goal_progress(session: Session, *, team: Team, day: date) -> dict[str, GoalProgress]:
    found = team_goals(session, team=team, day=day)
    return {metric: progress(session, goal=g, today=day) for metric, g in found.items()}

