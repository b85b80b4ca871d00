"""/community — who the team's community is and who moves closer, this period against the previous one.

A community member is someone who interacted publicly with the team's posts (a reaction on a feedback card, an
answer to a named poll); the scores and orbit levels are defined in :mod:`storage.community.orbit`.
"""

from __future__ import annotations

from handlers import markup, render
from handlers.core import Reply
from handlers.filters import Filter, parse_filters
from handlers.i18n import N_, _, ngettext
from handlers.router import Request, registry
from storage.community.audience import ChatAudience, audience_growth
from storage.community.orbit import Orbit
from storage.community.summary import CommunitySummary, Figures, Ranked, community_summary
from storage.periods import Period, local_moment

COMMUNITY_EXAMPLE = N_("/community month")
MOVERS_SHOWN = 5


@registry.command(
    "community",
    summary="Who the community is: members, active, new, returning, orbit levels, movers and the top 10",
    usage="/community [week|month|quarter] [last]",
    examples=("/community", COMMUNITY_EXAMPLE, "/community quarter last"),
    details=(
        "Community members are people who reacted to a feedback card or answered a named poll (anonymous polls "
        "identify no one). Each interaction scores (reaction 1, poll answer 2, attendance 5, talk 10), halving "
        "every 30 days; the score of the last 90 days places a member in an orbit level, 1 (most engaged) to 4 "
        "(explorers). Every figure is shown against the previous period."
    ),
    reads_only=True,
)
def community(req: Request) -> Reply:
    filters = parse_filters(
        req.args, session=req.session, team_id=req.team_id, accept=(Filter.PERIOD, Filter.LAST),
        example=COMMUNITY_EXAMPLE,
        unknown=lambda token: _("{token} is not a period: use week, month or quarter.").format(token=token),
    )
    current = filters.period_for(req.today, default="month")
    assert current is not None  # a default period and no "all"
    previous = current.previous()
    tz = req.team.timezone
    summary = community_summary(
        req.session, team_id=req.team_id, start=local_moment(current.start, 0, tz),
        end=local_moment(current.end, 0, tz), previous_start=local_moment(previous.start, 0, tz), now=req.now,
        orbit=Orbit.loads(req.team.orbit),
    )
    text = format_community(current, previous, summary)
    base = audience_line(audience_growth(req.session, team_id=req.team_id, start=current.start, end=current.end))
    return Reply(text if base is None else f"{text}\n{base}", ephemeral=True)


def audience_line(chats: list[ChatAudience]) -> str | None:
    """"• audience: 1,250 (+50) — Telegram “Go community” 1,000 (+40) · Slack C0COMM 250 (+10)": each counted
    chat's latest member count and its growth over the period; None before the first count."""
    if not chats:
        return None
    total, was = sum(c.count for c in chats), sum(c.was for c in chats)
    parts = " · ".join(
        f"{markup.escape(c.title or f'{c.platform.title()} {c.chat_id}')} {render.number(c.count)} "
        f"({render.signed(c.count - c.was)})"
        for c in chats
    )
    return "• {label}: {n} ({change}) — {parts}".format(label=_("audience"), n=render.number(total),
                                                       change=render.signed(total - was), parts=parts)


def format_community(current: Period, previous: Period, summary: CommunitySummary) -> str:
    title = _("Community this {period} ({start} – {end}) against the previous one ({pstart} – {pend})").format(
        period=_(current.name), start=current.start.isoformat(), end=current.last_day.isoformat(),
        pstart=previous.start.isoformat(), pend=previous.last_day.isoformat(),
    )
    lines = [markup.bold(title)]
    now, before = summary.current, summary.previous
    if not now.members:
        lines.append(_("No community members yet: people become members by reacting to a /feedback card or "
                       "answering a named /poll."))
        return "\n".join(lines)
    lines.append(_line(_("members"), now.members, before.members))
    lines.append(_line(_("active"), now.active, before.active))
    lines.append(_line(_("newcomers"), now.new, before.new))
    lines.append(_line(_("returning"), now.returning, before.returning))
    lines.append("• {label}: {levels}".format(label=_("by orbit level"), levels=_levels(now)))
    lines.append("• {label}: {names}".format(label=_("moved closer"), names=_movers(summary.movers_up)))
    lines.append("• {label}: {names}".format(label=_("drifted away"), names=_movers(summary.movers_down)))
    if summary.top:
        lines.append(markup.bold(_("Top {n}").format(n=len(summary.top))))
        for place, person in enumerate(summary.top, start=1):
            lines.append(_("{place}. {name} — {score} (level {level})").format(
                place=place, name=markup.escape(person.name), score=render.decimal(person.score), level=person.level))
    return "\n".join(lines)


def _line(label: str, current: int, previous: int) -> str:
    return "• {label}: {n} ({was} {p})".format(label=label, n=render.number(current), was=_("was"),
                                             p=render.number(previous))


def _levels(figures: Figures) -> str:
    return " · ".join(
        _("{level}: {n}").format(level=level, n=figures.by_level.get(level, 0)) for level in (1, 2, 3, 4)
    )


def level_name(level: int | None) -> str:
    return str(level) if level is not None else "—"


def _movers(people: list[Ranked]) -> str:
    if not people:
        return _("no one")
    shown = ", ".join(
        f"{markup.escape(p.name)} ({level_name(p.previous_level)}→{level_name(p.level)})"
        for p in people[:MOVERS_SHOWN]
    )
    more = len(people) - MOVERS_SHOWN
    return shown if more <= 0 else shown + " " + ngettext("and {n} more", "and {n} more", more).format(n=more)
