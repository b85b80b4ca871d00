"""The weekly digest's content (also /report's): a short summary with changes, details, and the chart."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session

from handlers import markup, render
from handlers.breakdown import breakdown_rows, breakdown_text
from handlers.chart import DashboardLayout, render_dashboard
from handlers.core import Image, Reply
from handlers.dashboard import BucketNumbers, HeadlineNumbers, build_layout, goal_progress, hires_in
from handlers.feedback_results import period_feedback
from handlers.filters import Filters, describe
from handlers.goal_text import goal_section
from handlers.i18n import _, ngettext
from storage.activities import figures_of, list_activities, period_figures
from storage.domain import Kind, Status
from storage.feedback.results import FeedbackSummary
from storage.metrics import (
    Figures,
    cost_per_contact,
    engagement,
    hiring_influence,
    percent_change,
    reach,
)
from storage.models import Team
from storage.periods import Period, local_today, period_containing, periods_back
from storage.plan import FulfilmentCounts, fulfilment, plan_items
from storage.selection import EVERYTHING, Scope
from storage.teams import members_by_id

CHART_WEEKS = 8
TOP = 3


@dataclass(frozen=True)
class Report:
    summary: str
    details: str
    chart: bytes | None  # None when the team has logged nothing yet
    chart_caption: str = ""  # the chart's granularity and span, sent with it
    breakdown: str = ""  # the slice's segments side by side, when asked for ("by tag")


@dataclass(frozen=True)
class PeriodNumbers:
    figures: Mapping[Kind, Figures]
    plan: FulfilmentCounts
    feedback: FeedbackSummary
    hiring: tuple[int, int, int]  # yes, partly, surveyed

    @property
    def count(self) -> int:
        return sum(f.count for f in self.figures.values())

    @property
    def reach(self) -> int:
        return sum(reach(f) for f in self.figures.values())

    @property
    def engagement(self) -> int:
        return sum(engagement(f) for f in self.figures.values())

    @property
    def contacts(self) -> int:
        return sum(f.contacts for f in self.figures.values())

    def cost_per_contact(self, currency: str) -> float | None:
        """In one currency: what was spent in it / the contacts of the activities it was spent on."""
        cost = sum((f.costs.get(currency, Decimal(0)) for f in self.figures.values()), start=Decimal(0))
        contacts = sum(f.paid_contacts.get(currency, 0) for f in self.figures.values())
        value = cost_per_contact(cost, contacts) if cost else None
        return None if value is None else float(value)


def as_replies(report: Report) -> list[Reply]:
    """What a chat gets, in order: the summary, then the details and the chart (in a thread where one exists)."""
    replies = [Reply(report.summary)]
    if report.breakdown:
        replies.append(Reply(report.breakdown))
    if report.details:
        replies.append(Reply(report.details))
    if report.chart is not None:
        replies.append(Reply(report.chart_caption, image=Image("digest.png", report.chart)))
    return replies


def numbers_for(session: Session, *, team: Team, period: Period, scope: Scope = EVERYTHING) -> PeriodNumbers:
    assert team.id is not None  # a stored team
    feedback, hiring = period_feedback(session, team=team, period=period, scope=scope)
    return PeriodNumbers(
        figures=period_figures(session, team_id=team.id, start=period.start, end=period.end, scope=scope),
        plan=fulfilment(session, team_id=team.id, start=period.start, end=period.end, scope=scope),
        feedback=feedback,
        hiring=hiring,
    )


def last_full_week(now: datetime, team: Team) -> Period:
    return period_containing("week", local_today(now, team.timezone)).previous()


def build_report(
    session: Session,
    *,
    team: Team,
    period: Period,
    now: datetime,
    buckets: Sequence[Period] | None = None,
    with_chart: bool = True,
    filters: Filters | None = None,
) -> Report:
    """The summary of ``period`` against the one before, the details, and a chart over ``buckets``
    (by default the eight weeks ending with the period). ``filters`` narrow all of it to a slice, and may
    ask for its breakdown."""
    assert team.id is not None  # a stored team
    filters = filters or Filters()
    scope = filters.scope
    title = _title(period)
    running = period.end > local_today(now, team.timezone)
    if running:
        title += " " + _("(so far)")
    if filters.narrowed:
        title += " · " + describe(filters)
    if not list_activities(session, team_id=team.id, limit=1):
        return Report(summary=f"📊 {markup.bold(title)}\n" + _("Nothing logged yet — try {example}").format(
            example=markup.code(_('/log talk "My talk" @ Conf today audience=100'))), details="", chart=None)
    current = numbers_for(session, team=team, period=period, scope=scope)
    previous = numbers_for(session, team=team, period=period.previous(), scope=scope)
    # The team's goals are about the whole team, not a slice of it.
    goals = [] if filters.narrowed else goal_section(
        session, team_id=team.id, day=min(local_today(now, team.timezone), period.last_day),
        action_name=team.target_action_name)
    lines = _summary_lines(current, previous, team.currency, with_hiring=not filters.narrowed)
    summary = f"📊 {markup.bold(title)}\n" + "\n".join([*lines, *goals])
    details = _details(session, team=team, period=period, now=now, scope=scope)
    breakdown = "" if filters.by is None else breakdown_text(
        breakdown_rows(session, team_id=team.id, period=period, scope=scope, by=filters.by),
        filters=filters, period=period, running=running)
    if not with_chart:
        return Report(summary=summary, details=details, chart=None, breakdown=breakdown)
    series = buckets or periods_back(period_containing("week", period.last_day), CHART_WEEKS)
    layout = dashboard_layout(session, team=team, period=period, buckets=series, now=now,
                              title=f"{team.name} — {title}", current=current, previous=previous,
                              scope=scope)
    return Report(summary=summary, details=details, chart=render_dashboard(layout), chart_caption=layout.caption,
                  breakdown=breakdown)


def dashboard_layout(session: Session, *, team: Team, period: Period, buckets: Sequence[Period], now: datetime,
                     title: str, current: PeriodNumbers | None = None,
                     previous: PeriodNumbers | None = None, scope: Scope = EVERYTHING) -> DashboardLayout:
    """The chart's layout: the period's headline figures against the previous period and the team's goals
    (none for a slice), and one panel per quantity over ``buckets``."""
    current = current or numbers_for(session, team=team, period=period, scope=scope)
    previous = previous or numbers_for(session, team=team, period=period.previous(), scope=scope)
    day = min(local_today(now, team.timezone), period.last_day)
    return build_layout(
        title=title, period=period, buckets=buckets,
        now=_headline_numbers(session, team, period, current, scope),
        before=_headline_numbers(session, team, period.previous(), previous, scope),
        series=[_bucket_numbers(numbers_for(session, team=team, period=b, scope=scope), team.currency)
                for b in buckets],
        goals=goal_progress(session, team=team, day=day) if scope.is_everything else {}, currency=team.currency,
    )


def _headline_numbers(session: Session, team: Team, period: Period, n: PeriodNumbers,
                      scope: Scope) -> HeadlineNumbers:
    return HeadlineNumbers(
        activities=n.count, reach=n.reach, contacts=n.contacts, cost_per_contact=n.cost_per_contact(team.currency),
        rating=n.feedback.rating, nps=n.feedback.nps.score if n.feedback.nps else None, plan=n.plan.share,
        hires=hires_in(session, team=team, period=period, scope=scope),
    )


def _bucket_numbers(n: PeriodNumbers, currency: str) -> BucketNumbers:
    return BucketNumbers(
        counts={k: f.count for k, f in n.figures.items()}, reach=n.reach, contacts=n.contacts,
        cost_per_contact=n.cost_per_contact(currency), rating=n.feedback.rating,
        nps=n.feedback.nps.score if n.feedback.nps else None,
    )


def _title(period: Period) -> str:
    span = f"{render.day(period.start)} – {render.day(period.last_day)}"
    names = {"week": _("Weekly digest"), "month": _("Monthly report"), "quarter": _("Quarterly report")}
    return f"{names[period.name]}, {span}"


def _summary_lines(now: PeriodNumbers, before: PeriodNumbers, currency: str, *, with_hiring: bool) -> list[str]:
    by_kind = ", ".join(kind_count(k, now.figures[k].count) for k in Kind if k in now.figures)
    cost = _was(_money(now.cost_per_contact(currency), currency),
                _money(before.cost_per_contact(currency), currency, short=True))
    lines = [
        f"• {_('Activities')}: {render.number(now.count)} ({_change(now.count, before.count)})"
        + (f" — {by_kind}" if by_kind else ""),
        f"• {_('Reach')}: {render.number(now.reach)} ({_change(now.reach, before.reach)}) · "
        f"{_('engagement')} {render.number(now.engagement)} ({_change(now.engagement, before.engagement)})",
        f"• {_('Contacts')}: {render.number(now.contacts)} ({_change(now.contacts, before.contacts)}) · "
        f"{_('cost per contact')} {cost}",
        f"• {_('Rating')}: {_was(_rating(now.feedback), _rating(before.feedback, short=True))} · "
        f"{_('NPS')}: {_was(_nps(now.feedback), _nps(before.feedback, short=True))}",
        f"• {_('Plan fulfilment')}: {_was(_plan(now.plan), _plan(before.plan, short=True))}",
    ]
    if with_hiring:  # new hires answer about DevRel as a whole, not about a slice of it
        lines.append(f"• {_('Hiring influence')}: {_was(_hiring(now.hiring), _hiring(before.hiring, short=True))}")
    return lines


def kind_count(kind: Kind, n: int) -> str:
    words = {
        Kind.TALK: ngettext("{n} talk", "{n} talks", n),
        Kind.EVENT: ngettext("{n} event", "{n} events", n),
        Kind.PARTNERSHIP: ngettext("{n} partnership", "{n} partnerships", n),
        Kind.PUBLICATION: ngettext("{n} publication", "{n} publications", n),
        Kind.SOCIAL: ngettext("{n} social post", "{n} social posts", n),
    }
    return words[kind].format(n=n)


def _was(current: str | None, previous: str | None) -> str:
    """"4.6 (12 votes) (was 4.4)"; the "was" is left out when the previous period had nothing either."""
    return f"{current}" if previous is None else f"{current} ({_('was')} {previous})"


def _details(session: Session, *, team: Team, period: Period, now: datetime, scope: Scope) -> str:
    assert team.id is not None  # a stored team
    done = list_activities(session, team_id=team.id, scope=scope, start=period.start, end=period.end,
                           status=Status.DONE, limit=10_000)
    top = sorted(done, key=lambda a: (-reach(figures_of(a)), a.id))[:TOP]
    lines = [markup.bold(_("Top {n} by reach").format(n=TOP))]
    lines += [f"{i}. {render.headline(a)} — {_('reach')} {render.number(reach(figures_of(a)))}"
              for i, a in enumerate(top, start=1)] or [_("Nothing was done in this period.")]
    this_week = last_full_week(now, team).end
    upcoming = period_containing("week", this_week)
    due = plan_items(session, team_id=team.id, start=upcoming.start, end=upcoming.end, scope=scope)
    owners = members_by_id(session, ids={a.owner_id for a in due if a.owner_id})
    lines.append(markup.bold(_("Due this week")))
    for a in due:
        owner = owners.get(a.owner_id or -1)
        who = f" — {markup.escape(owner.display_name)}" if owner else ""
        lines.append(f"• {render.day(a.due_date or a.date)}: {render.headline(a)}{who}")
    if not due:
        lines.append(_("Nothing in the plan is due this week."))
    return "\n".join(lines)


def _change(current: float, previous: float) -> str:
    if previous == 0:
        return _("new") if current else "±0"
    return render.percent(percent_change(current, previous), signed=True)


def _money(value: float | None, currency: str, *, short: bool = False) -> str | None:
    if value is None:
        return None if short else render.DASH
    return render.money(value, currency)


def _rating(feedback: FeedbackSummary, *, short: bool = False) -> str | None:
    if feedback.rating is None:
        return None if short else _("no answers yet")
    if short:
        return render.decimal(feedback.rating)
    count = ngettext("{n} vote", "{n} votes", feedback.rating_count).format(n=feedback.rating_count)
    return f"{render.decimal(feedback.rating)} ({count})"


def _nps(feedback: FeedbackSummary, *, short: bool = False) -> str | None:
    if feedback.nps is None:
        return None if short else _("no answers yet")
    if short:
        return render.signed(feedback.nps.score)
    count = ngettext("{n} answer", "{n} answers", feedback.nps.count).format(n=feedback.nps.count)
    return f"{render.signed(feedback.nps.score)} ({count})"


def _plan(plan: FulfilmentCounts, *, short: bool = False) -> str | None:
    if plan.share is None:
        return None if short else _("nothing was due")
    shown = render.percent(100 * plan.share)
    return shown if short else f"{shown}, " + _("{done} of {due} on time").format(done=plan.done_on_time, due=plan.due)


def _hiring(counts: tuple[int, int, int], *, short: bool = False) -> str | None:
    yes, partly, surveyed = counts
    share = hiring_influence(yes, partly, surveyed)
    if share is None:
        return None if short else _("no answers yet")
    shown = render.percent(100 * share)
    return shown if short else f"{shown} " + ngettext("of {n} new hire", "of {n} new hires", surveyed).format(
        n=surveyed)
