"""/stats — the period's numbers by kind, each against the previous period (the same days of it while the
period runs), for the whole team or a slice of it."""

from __future__ import annotations

from handlers import markup, render
from handlers.breakdown import breakdown_rows, breakdown_text
from handlers.core import Reply
from handlers.feedback_results import nps_text, rating_text
from handlers.filters import SLICE_FILTERS, Filter, Filters, describe, parse_filters
from handlers.goal_text import goal_section
from handlers.i18n import N_, _
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
from handlers.router import Request, registry
from handlers.words import kind_name
from storage.domain import Kind
from storage.metrics.period import PeriodNumbers, window_numbers
from storage.metrics.windows import window_of

STATS_EXAMPLE = N_("/stats month")


@registry.command(
    "stats",
    summary="Numbers for this week, month or quarter, against the previous one",
    usage="/stats [week|month|quarter] [kind] [#tag …] [@person] [purpose=…] [by tag|person|kind|purpose]",
    examples=("/stats", STATS_EXAMPLE, "/stats quarter #backend #devops", "/stats month by tag",
              "/stats quarter purpose=hiring by person"),
    details=(
        "Counts done activities by kind, reach, engagement, contacts and cost per contact, plan fulfilment, "
        "the community rating and NPS, and hiring influence. A kind, #tags (any of them), @person or purpose=… "
        "narrow it to a slice; “by tag”, “by person”, “by kind” or “by purpose” puts the slice’s segments side "
        "by side: reach, contacts, cost per contact and rating."
    ),
    reads_only=True,
)
def stats(req: Request) -> Reply:
    filters = parse_filters(
        req.args,
        session=req.session,
        team_id=req.team_id,
        accept=(Filter.PERIOD, *SLICE_FILTERS),
        example=STATS_EXAMPLE,
        unknown=lambda token: _(
            "{token} is not something /stats takes: a period (week, month or quarter), a kind, #tag, @person, "
            "purpose=… or by tag|person|kind|purpose."
        ).format(token=token),
    )
    period = filters.period_for(req.today, default="week")
    assert period is not None  # a default period and no "all"
    window = window_of(period, today=req.today)
    if filters.by is not None:
        rows = breakdown_rows(req.session, team=req.team, window=window, scope=filters.scope, by=filters.by)
        return Reply(breakdown_text(rows, filters=filters, window=window), ephemeral=True)
    now = window_numbers(req.session, team=req.team, window=window, scope=filters.scope)
    before = window_numbers(req.session, team=req.team, window=window.previous(), scope=filters.scope)
    lines = [format_stats(now, before, filters=filters)]
    if not filters.narrowed:  # the team's goals are about the whole team, not a slice of it
        lines.extend(goal_section(req.session, team_id=req.team_id, day=min(req.today, period.last_day),
                                  action_name=req.team.target_action_name))
    return Reply("\n".join(lines), ephemeral=True)


def stats_title(now: PeriodNumbers) -> str:
    window = now.window
    titles = {"week": _("Stats for this week{so_far} ({span}), {comparison}"),
              "month": _("Stats for this month{so_far} ({span}), {comparison}"),
              "quarter": _("Stats for this quarter{so_far} ({span}), {comparison}"),
              "year": _("Stats for this year{so_far} ({span}), {comparison}")}
    return titles[window.period.name].format(so_far=so_far(window), span=span_text(window),
                                             comparison=comparison_text(window))


def format_stats(now: PeriodNumbers, before: PeriodNumbers, *, filters: Filters | None = None) -> str:
    """The figures of a window against the window before, one per line."""
    filters = filters or Filters()
    lines = [markup.bold(stats_title(now))]
    if filters.narrowed:
        lines.append(_("Slice: {slice}").format(slice=markup.escape(describe(filters))))
    if all(not n.totals.activities and not n.plan.due and not n.hiring.surveyed for n in (now, before)):
        lines.append(_("Nothing done in these periods yet — log something with /log."))
        return "\n".join(lines)
    t, b = now.totals, before.totals
    for kind in [filters.kind] if filters.kind is not None else list(Kind):
        lines.append(_line(kind_name(kind), t.by_kind.get(kind, 0), b.by_kind.get(kind, 0)))
    lines.append(_line(_("reach"), t.reach, b.reach))
    lines.append(_line(_("engagement"), t.engagement, b.engagement))
    lines.append(_line(_("contacts"), t.contacts, b.contacts))
    was = _("was")
    lines.append(f"• {_('cost per contact')}: {cost_text(now.cost)} ({was} {cost_short(before.cost)})")
    lines.append(f"• {_('plan fulfilment')}: {fulfilment_text(now.plan)} ({was} {share_text(before.plan.share)})")
    lines.append(f"• {_('community rating')}{votes_so_far(now.window)}: "
                 f"{rating_text(now.votes.rating, now.votes.rating_count)} "
                 f"({was} {render.decimal(before.votes.rating)})")
    nps_before = render.signed(before.votes.nps.score if before.votes.nps is not None else None)
    lines.append(f"• {_('NPS')}: {nps_text(now.votes.nps)} ({was} {nps_before})")
    reported = reported_text(now.reported_rating, now.reported_nps)
    if reported:
        lines.append(f"• {reported}")
    if not filters.narrowed:  # a new hire answers about DevRel as a whole, not about a slice of it
        lines.append(f"• {_('hiring influence')}: {hiring_text(now.hiring)} "
                     f"({was} {share_text(before.hiring.share)})")
    return "\n".join(lines)


def _line(label: str, current: int, previous: int) -> str:
    return f"• {label}: {render.number(current)} ({change_text(current, previous)})"
