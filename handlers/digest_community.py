"""The digest's community section: active and new members against the previous period, who moved into orbit
level 1, and the community polls that closed in the period (their leading answer). Nothing when the team has no
community yet."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from handlers import markup, render
from handlers.community import audience_line
from handlers.i18n import _, ngettext
from storage.community.audience import audience_growth
from storage.community.orbit import Orbit
from storage.community.polls import closed_between, result_of
from storage.community.summary import community_summary
from storage.models import Team
from storage.periods import Period, local_moment

POLLS_SHOWN = 3
MOVERS_SHOWN = 5


def community_lines(session: Session, *, team: Team, period: Period, now: datetime) -> list[str]:
    assert team.id is not None  # a stored team
    tz = team.timezone
    start, end = local_moment(period.start, 0, tz), local_moment(period.end, 0, tz)
    previous_start = local_moment(period.previous().start, 0, tz)
    summary = community_summary(session, team_id=team.id, start=start, end=end, previous_start=previous_start,
                                 now=now, orbit=Orbit.loads(team.orbit))
    polls = closed_between(session, team_id=team.id, start=start, end=end)
    base = audience_line(audience_growth(session, team_id=team.id, start=period.start, end=period.end))
    if not summary.current.members and not polls and base is None:
        return []
    now_f, before = summary.current, summary.previous
    to_one = [r.name for r in summary.movers_up if r.level == 1]
    lines = [markup.bold(_("Community")),
             "• " + _("{active} active (was {was_active}) · {new} new (was {was_new}) · {members} members").format(
                 active=render.number(now_f.active), was_active=render.number(before.active),
                 new=render.number(now_f.new), was_new=render.number(before.new),
                 members=render.number(now_f.members)),
             "• " + _("moved to orbit level 1: {names}").format(names=_names(to_one))]
    if base is not None:
        lines.append(base)
    for poll in polls[:POLLS_SHOWN]:
        result = result_of(session, poll=poll)
        top = max(result.counts, default=0)
        leaders = [o for o, n in zip(result.options, result.counts, strict=True) if n == top and n]
        answer = (" / ".join(markup.escape(o) for o in leaders) if leaders else _("no answers"))
        lines.append("• " + _("poll #{id} “{question}”: {answer} — {n} of {voters}").format(
            id=result.poll_id, question=markup.escape(result.question), answer=answer, n=render.number(top),
            voters=ngettext("{n} person", "{n} people", result.voters).format(n=render.number(result.voters))))
    return lines


def _names(names: list[str]) -> str:
    if not names:
        return _("no one")
    shown = ", ".join(markup.escape(n) for n in names[:MOVERS_SHOWN])
    more = len(names) - MOVERS_SHOWN
    return shown if more <= 0 else shown + " " + ngettext("and {n} more", "and {n} more", more).format(n=more)
