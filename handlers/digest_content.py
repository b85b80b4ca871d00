"""The weekly digest's content (also /report's): a short summary with changes, details, and the chart."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session

from handlers import markup, render
from handlers.breakdown import breakdown_rows, breakdown_text
from handlers.chart import DashboardLayout, render_dashboard
from handlers.core import Image, Reply
from handlers.dashboard import BucketNumbers, HeadlineNumbers, build_layout, goal_progress
from handlers.digest_community import community_lines
from handlers.feedback_results import answers
from handlers.filters import Filters, describe
from handlers.goal_text import goal_section
from handlers.i18n import _, ngettext
from handlers.metric_text import (
    change_text,
    comparison_text,
    cost_short,
    cost_text,
    fulfilment_text,
    hiring_text,
    reported_text,
    share_text,
    so_far,
    span_text,
    votes_so_far,
)
from storage.activities import list_activities
from storage.community.summary import buckets_activity
from storage.domain import Kind
from storage.feedback.results import FeedbackSummary, late_feedback
from storage.metrics.cost import CostPerContact, in_currency
from storage.metrics.period import PeriodNumbers, windows_numbers
from storage.metrics.totals import top_by_reach
from storage.metrics.windows import Window, window_of
from storage.models import Team
from storage.periods import Period, local_moment, local_today, period_containing, periods_back
from storage.plan import plan_items
from storage.selection import EVERYTHING, Scope
from storage.teams import members_by_id

CHART_WEEKS = 8
TOP = 3
LATE_TOP = 5  # older activities that got votes this week, listed by name


@dataclass(frozen=True)
class Report:
    summary: str
    details: str
    chart: bytes | None  # None when the team has logged nothing yet
    chart_caption: str = ""  # the chart's granularity and span, sent with it
    breakdown: str = ""  # the slice's segments side by side, when asked for ("by tag")


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
    """The summary of ``period`` (up to today while it runs) against the one before (the same days of it), the
    details, and a chart over ``buckets`` (by default the eight weeks ending with the period). ``filters``
    narrow all of it to a slice, and may ask for its breakdown."""
    assert team.id is not None  # a stored team
    filters = filters or Filters()
    scope = filters.scope
    window = window_of(period, today=local_today(now, team.timezone))
    title = report_title(window)
    if filters.narrowed:
        title += " · " + describe(filters)
    if not list_activities(session, team_id=team.id, limit=1):
        return Report(summary=f"📊 {markup.bold(title)}\n" + _("Nothing logged yet — try {example}").format(
            example=markup.code(_('/log talk "My talk" @ Conf today audience=100'))), details="", chart=None)
    series = buckets or periods_back(period_containing("week", period.last_day), CHART_WEEKS)
    # The period, the one before and (for the chart) every bucket, read in one go and measured one by one.
    numbers = windows_numbers(session, team=team, scope=scope, windows=[
        window, window.previous(), *(chart_windows(series, now=now, team=team) if with_chart else [])])
    current, previous = numbers[window], numbers[window.previous()]
    # The team's goals are about the whole team, not a slice of it.
    goals = [] if filters.narrowed else goal_section(
        session, team_id=team.id, day=min(local_today(now, team.timezone), period.last_day),
        action_name=team.target_action_name)
    # The community is the whole team's too.
    community = [] if filters.narrowed else community_lines(session, team=team, period=period, now=now)
    summary = "\n".join([f"📊 {markup.bold(title)}", _sentence(comparison_text(window)),
                         *summary_lines(current, previous, with_hiring=not filters.narrowed), *goals, *community])
    details = _details(session, team=team, current=current, now=now, scope=scope)
    breakdown = "" if filters.by is None else breakdown_text(
        breakdown_rows(session, team=team, window=window, scope=scope, by=filters.by), filters=filters,
        window=window)
    if not with_chart:
        return Report(summary=summary, details=details, chart=None, breakdown=breakdown)
    layout = dashboard_layout(session, team=team, period=period, buckets=series, now=now,
                              title=f"{team.name} — {title}", numbers=numbers, scope=scope)
    return Report(summary=summary, details=details, chart=render_dashboard(layout), chart_caption=layout.caption,
                  breakdown=breakdown)


def report_title(window: Window) -> str:
    """``Weekly digest, 2026-11-16 – 2026-11-22``; ``Monthly report so far, 2026-11-01 – 2026-11-26``."""
    names = {"week": _("Weekly digest{so_far}, {span}"), "month": _("Monthly report{so_far}, {span}"),
             "quarter": _("Quarterly report{so_far}, {span}"), "year": _("Yearly report{so_far}, {span}")}
    return names[window.period.name].format(so_far=so_far(window), span=span_text(window))


def chart_windows(buckets: Sequence[Period], *, now: datetime, team: Team) -> list[Window]:
    """What each bucket of a chart measures: all of it, or up to today while it runs."""
    today = local_today(now, team.timezone)
    return [window_of(b, today=today) for b in buckets]


def dashboard_layout(session: Session, *, team: Team, period: Period, buckets: Sequence[Period], now: datetime,
                     title: str, numbers: Mapping[Window, PeriodNumbers] | None = None,
                     scope: Scope = EVERYTHING) -> DashboardLayout:
    """The chart's layout: the period's headline figures against the previous period and the team's goals
    (none for a slice), and one panel per quantity over ``buckets`` (each up to today while it runs).
    ``numbers`` are the figures already read for the period, the one before and the buckets (by
    :func:`windows_numbers`); without them they are read here, in one go."""
    today = local_today(now, team.timezone)
    window = window_of(period, today=today)
    windows = chart_windows(buckets, now=now, team=team)
    if numbers is None:
        numbers = windows_numbers(session, team=team, windows=[window, window.previous(), *windows], scope=scope)
    current, previous = numbers[window], numbers[window.previous()]
    series = [numbers[w] for w in windows]
    currency = chart_currency([current, previous, *series], team.currency)
    # Community members per bucket: the whole team's (a slice of the ledger has no community of its own).
    people = buckets_activity(session, team_id=team.id or 0, buckets=[
        (local_moment(b.start, 0, team.timezone), local_moment(b.end, 0, team.timezone)) for b in buckets
    ]) if scope.is_everything else [(0, 0)] * len(buckets)
    return build_layout(
        title=title, period=period, buckets=buckets,
        now=headline_numbers(current, currency), before=headline_numbers(previous, currency),
        series=[replace(bucket_numbers(n, currency), active_members=active, new_members=new)
                for n, (active, new) in zip(series, people, strict=True)],
        goals=goal_progress(session, team=team, day=min(today, period.last_day)) if scope.is_everything else {},
        currency=currency,
    )


def chart_currency(numbers: Sequence[PeriodNumbers], team_currency: str) -> str:
    """A chart's axis has one currency: the team's, unless nothing charted was paid in it — then the one that
    paid for the most contacts."""
    paid: dict[str, int] = {}
    for n in numbers:
        for figure in n.cost:
            paid[figure.currency] = paid.get(figure.currency, 0) + figure.contacts
    if team_currency in paid or not paid:
        return team_currency
    return max(sorted(paid), key=lambda c: paid[c])


def _cost_value(figures: Sequence[CostPerContact], currency: str) -> float | None:
    found = in_currency(figures, currency)
    return None if found is None else float(found.value)


def headline_numbers(n: PeriodNumbers, currency: str) -> HeadlineNumbers:
    return HeadlineNumbers(
        activities=n.totals.activities, reach=n.totals.reach, contacts=n.totals.contacts,
        cost_per_contact=_cost_value(n.cost, currency), rating=n.votes.rating,
        nps=n.votes.nps.score if n.votes.nps else None, plan=n.plan.share, hires=n.totals.hires,
    )


def bucket_numbers(n: PeriodNumbers, currency: str) -> BucketNumbers:
    return BucketNumbers(
        counts=dict(n.totals.by_kind), reach=n.totals.reach, contacts=n.totals.contacts,
        cost_per_contact=_cost_value(n.cost, currency), rating=n.votes.rating,
        nps=n.votes.nps.score if n.votes.nps else None,
    )


def summary_lines(now: PeriodNumbers, before: PeriodNumbers, *, with_hiring: bool = True) -> list[str]:
    t, b = now.totals, before.totals
    by_kind = ", ".join(kind_count(k, n) for k, n in t.by_kind.items())
    lines = [
        f"• {_('Activities')}: {render.number(t.activities)} ({change_text(t.activities, b.activities)})"
        + (f" — {by_kind}" if by_kind else ""),
        f"• {_('Reach')}: {render.number(t.reach)} ({change_text(t.reach, b.reach)}) · "
        f"{_('engagement')} {render.number(t.engagement)} ({change_text(t.engagement, b.engagement)})",
        f"• {_('Contacts')}: {render.number(t.contacts)} ({change_text(t.contacts, b.contacts)}) · "
        f"{_('cost per contact')} {_was(cost_text(now.cost), cost_short(before.cost) if before.cost else None)}",
        f"• {_('Rating')}{votes_so_far(now.window)}: {_was(_rating(now.votes), _rating(before.votes, short=True))}"
        f" · {_('NPS')}: {_was(_nps(now.votes), _nps(before.votes, short=True))}",
    ]
    reported = reported_text(now.reported_rating, now.reported_nps)
    if reported:
        lines.append(f"• {_sentence(reported)}")
    lines.append(f"• {_('Plan fulfilment')}: "
                 f"{_was(fulfilment_text(now.plan), share_text(before.plan.share) if before.plan.due else None)}")
    if with_hiring:  # new hires answer about DevRel as a whole, not about a slice of it
        was = share_text(before.hiring.share) if before.hiring.answered else None
        lines.append(f"• {_('Hiring influence')}: {_was(hiring_text(now.hiring), was)}")
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


def _was(current: str, previous: str | None) -> str:
    """"4.6 (12 votes) (was 4.4)"; the "was" is left out when the previous period had nothing."""
    return f"{current} ({_('was')} {previous})" if previous else current


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _details(session: Session, *, team: Team, current: PeriodNumbers, now: datetime, scope: Scope) -> str:
    assert team.id is not None  # a stored team
    lines = [markup.bold(_("Top {n} by reach").format(n=TOP))]
    lines += [f"{i}. {render.headline(r.activity)} — {_('reach')} {render.number(r.reach)}"
              for i, r in enumerate(top_by_reach(current.totals, TOP), start=1)] or [
        _("Nothing was done in this period.")]
    if scope.is_everything:  # votes on the whole team's older activities
        lines += _late_lines(session, team=team, window=current.window)
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


def _late_lines(session: Session, *, team: Team, window: Window) -> list[str]:
    """Votes belong to their activity's period; those that arrived in this window for older activities are
    listed here so they are not missed: the activities that got the most, and all of them together when there
    are more."""
    late = late_feedback(session, team_id=team.id or 0, since=local_moment(window.start, 0, team.timezone),
                         until=local_moment(window.end, 0, team.timezone), held_before=window.start, top=LATE_TOP)
    if not late.activities:
        return []
    lines = [markup.bold(_("Feedback that arrived for earlier activities"))]
    if late.activities > len(late.top):
        together = ngettext("{n} earlier activity in all", "{n} earlier activities in all", late.activities)
        lines.append(f"• {together.format(n=render.number(late.activities))} — {_feedback_parts(late.summary)}")
    lines += [f"• {render.headline(found.activity)} — {_feedback_parts(found.summary)}" for found in late.top]
    return lines


def _feedback_parts(summary: FeedbackSummary) -> str:
    """``rating 4.0 (1 vote), NPS +50 (2 answers)`` — what there is of them."""
    parts = [f"{_('rating')} {_rating(summary)}"] if summary.rating is not None else []
    if summary.nps is not None:
        parts.append(f"{_('NPS')} {_nps(summary)}")
    return ", ".join(parts)


def _rating(feedback: FeedbackSummary, *, short: bool = False) -> str:
    if feedback.rating is None:
        return "" if short else _("no answers yet")
    if short:
        return render.decimal(feedback.rating)
    count = ngettext("{n} vote", "{n} votes", feedback.rating_count).format(n=feedback.rating_count)
    return f"{render.decimal(feedback.rating)} ({count})"


def _nps(feedback: FeedbackSummary, *, short: bool = False) -> str:
    if feedback.nps is None:
        return "" if short else _("no answers yet")
    if short:
        return render.signed(feedback.nps.score)
    return f"{render.signed(feedback.nps.score)} ({answers(feedback.nps.count)})"
