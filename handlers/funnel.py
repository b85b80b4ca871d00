"""/funnel — reach → contacts → target actions → hires for a period, a tag, a person or a purpose."""

from __future__ import annotations

from handlers import markup, render
from handlers.core import Image, Reply
from handlers.filters import Filter, parse_filters
from handlers.funnel_chart import FunnelLayout, render_funnel
from handlers.goal_text import count_of
from handlers.i18n import _
from handlers.metric_text import hiring_text
from handlers.router import Request, registry
from storage.funnel import Funnel, funnel
from storage.periods import Period

FUNNEL_EXAMPLE = "/funnel quarter purpose=hiring"


@registry.command(
    "funnel",
    summary="The hiring funnel: reach → contacts → target actions → hires, with conversions and top activities",
    usage="/funnel [last] [week|month|quarter] [#tag] [@person] [purpose=hiring|brand|product|community]",
    examples=("/funnel", FUNNEL_EXAMPLE, "/funnel last month #backend"),
    details=(
        "Done activities of the period (this quarter unless you name one). Hires are those credited with "
        "hires=; the new-hire survey's answers are shown on their own line, never added to them. "
        "/settings actions=… names your target actions."
    ),
    reads_only=True,
)
def funnel_command(req: Request) -> Reply:
    filters = parse_filters(
        req.args, session=req.session, team_id=req.team_id,
        accept=(Filter.PERIOD, Filter.LAST, Filter.TAG, Filter.PERSON, Filter.PURPOSE),
        example=FUNNEL_EXAMPLE,
        unknown=lambda token: _("{token} is not a filter /funnel takes: a period, “last”, #tag, @person or "
                                "purpose=….").format(token=token),
    )
    period = filters.period_for(req.today, default="quarter")
    assert period is not None  # a default period and no "all"
    result = funnel(req.session, team_id=req.team_id, start=period.start, end=period.end,
                    timezone=req.team.timezone, scope=filters.scope)
    title = funnel_title(period, filters.tags, filters.person, filters.purpose)
    if period.end > req.today:
        title += " " + _("(so far)")
    text = funnel_text(result, title=title, action_name=req.team.target_action_name)
    if result.activities == 0:
        return Reply(text, ephemeral=True)
    layout = funnel_layout(result, title=title, action_name=req.team.target_action_name)
    return Reply(text, image=Image("funnel.png", render_funnel(layout)))


def step_labels(action_name: str | None) -> tuple[str, str, str, str]:
    return (_("reach"), _("contacts"), action_name or _("target actions"), _("hires"))


def funnel_title(period: Period, tags: tuple[str, ...], person: str | None, purpose: str | None) -> str:
    parts = [f"{period.start.isoformat()} – {period.last_day.isoformat()}"]
    if tags:
        parts.append(" ".join(f"#{tag}" for tag in tags))
    if person:
        parts.append(person)
    if purpose:
        parts.append(_("purpose: {purpose}").format(purpose=render.purpose_word(purpose)))
    return _("Hiring funnel, {scope}").format(scope=" · ".join(parts))


def funnel_text(result: Funnel, *, title: str, action_name: str | None) -> str:
    lines = [f"🎯 {markup.bold(markup.escape(title))}"]
    if result.activities == 0:
        lines.append(_("No done activities in this slice yet."))
        return "\n".join(lines)
    labels = step_labels(action_name)
    conversions = (None, *result.conversions())
    for i, (label, value) in enumerate(zip(labels, result.values, strict=True)):
        line = f"• {markup.escape(label)}: {render.number(value)}"
        if i:
            line += " " + _("({share} of {previous})").format(share=render.conversion(conversions[i]),
                                                              previous=markup.escape(labels[i - 1]))
        lines.append(line)
    lines.append(_("Hires per person reached: {share}").format(share=render.conversion(result.overall)))
    if result.hiring.surveyed:  # the whole team's survey; a slice has none
        lines.append(f"• {_('hiring influence')}: {hiring_text(result.hiring)}")
    if result.top:
        lines.append(markup.bold(_("Contributed most")))
        for n, row in enumerate(result.top, start=1):
            figures = " · ".join([
                count_of("hires", row.hires),
                markup.escape(count_of("target_actions", row.target_actions, action_name=action_name)),
                count_of("contacts", row.contacts),
                f"{_('reach')} {render.number(row.reach)}",
            ])
            lines.append(f"{n}. {render.headline(row.activity)} — {figures}")
    return "\n".join(lines)


def funnel_layout(result: Funnel, *, title: str, action_name: str | None) -> FunnelLayout:
    return FunnelLayout(
        title=title,
        steps=step_labels(action_name),
        values=result.values,
        conversions=tuple(render.conversion(c) for c in result.conversions()),
    )
