"""/stats — the period's numbers by kind, each against the previous period."""

from __future__ import annotations

from collections.abc import Mapping

from handlers import markup, render
from handlers.breakdown import breakdown_rows, breakdown_text
from handlers.core import Reply
from handlers.feedback_results import period_lines
from handlers.filters import SLICE_FILTERS, Filter, Filters, describe, parse_filters
from handlers.goal_text import goal_section
from handlers.i18n import N_, _
from handlers.router import Request, registry
from storage.activities import period_figures
from storage.domain import Kind
from storage.metrics import Figures, engagement, percent_change, reach
from storage.periods import Period
from storage.plan import FulfilmentCounts, fulfilment

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
    current = filters.period_for(req.today, default="week")
    assert current is not None  # a default period and no "all"
    if filters.by is not None:
        rows = breakdown_rows(req.session, team_id=req.team_id, period=current, scope=filters.scope, by=filters.by)
        return Reply(breakdown_text(rows, filters=filters, period=current, running=current.end > req.today),
                     ephemeral=True)
    previous = current.previous()
    scope = filters.scope
    now = period_figures(req.session, team_id=req.team_id, start=current.start, end=current.end, scope=scope)
    before = period_figures(req.session, team_id=req.team_id, start=previous.start, end=previous.end, scope=scope)
    lines = [format_stats(current, previous, now, before, filters=filters)]
    plan_now = fulfilment(req.session, team_id=req.team_id, start=current.start, end=current.end, scope=scope)
    plan_before = fulfilment(req.session, team_id=req.team_id, start=previous.start, end=previous.end, scope=scope)
    lines.append(fulfilment_line(plan_now, plan_before))
    lines.extend(period_lines(req.session, team=req.team, current=current, previous=previous, scope=scope))
    if not filters.narrowed:  # the team's goals are about the whole team, not a slice of it
        lines.extend(goal_section(req.session, team_id=req.team_id, day=min(req.today, current.last_day),
                                  action_name=req.team.target_action_name))
    return Reply("\n".join(lines), ephemeral=True)


def fulfilment_line(now: FulfilmentCounts, before: FulfilmentCounts) -> str:
    """plan fulfilment: 75% (3 of 4 due) (was 50%); "—" when nothing was due."""
    shown = render.percent(100 * now.share if now.share is not None else None)
    was = render.percent(100 * before.share if before.share is not None else None)
    if now.due:
        counts = _("{done} of {due} due items done on time").format(done=now.done_on_time, due=now.due)
    else:
        counts = _("nothing in the plan was due")
    return f"• {_('plan fulfilment')}: {shown} ({counts}) ({_('was')} {was})"


def format_stats(current: Period, previous: Period, now: Mapping[Kind, Figures], before: Mapping[Kind, Figures],
                 *, filters: Filters | None = None) -> str:
    title = _("Stats for this {period} ({start} – {end}) against the previous one ({pstart} – {pend})").format(
        period=_(current.name),
        start=render.day(current.start),
        end=render.day(current.last_day),
        pstart=render.day(previous.start),
        pend=render.day(previous.last_day),
    )
    lines = [markup.bold(title)]
    if filters is not None and filters.narrowed:
        lines.append(_("Slice: {slice}").format(slice=markup.escape(describe(filters))))
    if not now and not before:
        lines.append(_("Nothing done in these periods yet — log something with /log."))
        return "\n".join(lines)
    kinds = [filters.kind] if filters is not None and filters.kind is not None else list(Kind)
    for kind in kinds:
        lines.append(_line(_(kind.value), _count(now, kind), _count(before, kind)))
    lines.append(_line(_("reach"), sum(reach(f) for f in now.values()), sum(reach(f) for f in before.values())))
    lines.append(
        _line(_("engagement"), sum(engagement(f) for f in now.values()), sum(engagement(f) for f in before.values()))
    )
    lines.append(_line(_("contacts"), sum(f.contacts for f in now.values()), sum(f.contacts for f in before.values())))
    cost, cost_before = render.cost_per_contact_text(now), render.cost_per_contact_text(before)
    lines.append(f"• {_('cost per contact')}: {cost} ({_('was')} {cost_before})")
    return "\n".join(lines)


def _count(figures: Mapping[Kind, Figures], kind: Kind) -> int:
    return figures[kind].count if kind in figures else 0


def _line(label: str, current: int, previous: int) -> str:
    return f"• {label}: {render.number(current)} ({_change(current, previous)})"


def _change(current: int, previous: int) -> str:
    if previous == 0:
        return _("new") if current else _("no change")
    return render.percent(percent_change(current, previous), signed=True)
