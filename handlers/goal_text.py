"""How goals and their progress read everywhere (/goal, /stats, /report, the digest, the PDF):
"7 of 12 talks · 58% · on track"."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from babel.dates import format_date
from sqlmodel import Session

from handlers import markup, render
from handlers.i18n import _, babel_locale, ngettext
from storage.goals import GoalProgress, Pace, goals_on, progress
from storage.models import Goal, Member
from storage.teams import members_by_id


def level_label(metric: str) -> str:
    return _("NPS") if metric == "nps" else _("rating")


def count_phrase(metric: str, value: str, target: float, target_text: str, *, action_name: str | None = None) -> str:
    """"7 of 12 talks", worded whole so each language agrees the noun with the target its own way."""
    n = int(target) if float(target).is_integer() else 2
    phrases = {
        "activities": ngettext("{value} of {target} activity", "{value} of {target} activities", n),
        "talks": ngettext("{value} of {target} talk", "{value} of {target} talks", n),
        "events": ngettext("{value} of {target} event", "{value} of {target} events", n),
        "partnerships": ngettext("{value} of {target} partnership", "{value} of {target} partnerships", n),
        "publications": ngettext("{value} of {target} publication", "{value} of {target} publications", n),
        "social": ngettext("{value} of {target} social post", "{value} of {target} social posts", n),
        "reach": _("reach {value} of {target}"),
        "engagement": _("engagement {value} of {target}"),
        "contacts": ngettext("{value} of {target} contact", "{value} of {target} contacts", n),
        "target_actions": ngettext("{value} of {target} target action", "{value} of {target} target actions", n),
        "hires": ngettext("{value} of {target} hire", "{value} of {target} hires", n),
    }
    if metric == "target_actions" and action_name:
        return _("{value} of {target} {name}").format(value=value, target=target_text, name=action_name)
    return phrases[metric].format(value=value, target=target_text)


def count_of(metric: str, n: int, *, action_name: str | None = None) -> str:
    """"2 hires", "10 target actions" (or the team's name for them), "40 contacts"."""
    shown = render.number(n)
    if metric == "target_actions" and action_name:
        return f"{shown} {action_name}"
    phrases = {
        "hires": ngettext("{n} hire", "{n} hires", n),
        "target_actions": ngettext("{n} target action", "{n} target actions", n),
        "contacts": ngettext("{n} contact", "{n} contacts", n),
    }
    return phrases[metric].format(n=shown)


def pace_text(pace: Pace) -> str:
    words = {
        Pace.REACHED: _("reached"),
        Pace.ON_TRACK: _("on track"),
        Pace.BEHIND: _("behind"),
        Pace.MISSED: _("missed"),
        Pace.NO_DATA: _("no answers yet"),
    }
    return words[pace]


def period_label(goal: Goal) -> str:
    """Q4 2026, November 2026, 2026 — in the team's language."""
    if goal.period == "month":
        return format_date(goal.start, "LLLL y", locale=babel_locale())
    if goal.period == "quarter":
        return format_date(goal.start, "QQQ y", locale=babel_locale())
    return str(goal.start.year)


def scope_label(goal: Goal, members: Mapping[int, Member]) -> str:
    parts = []
    if goal.tag:
        parts.append(f"#{goal.tag}")
    if goal.member_id is not None and goal.member_id in members:
        parts.append(f"@{members[goal.member_id].display_name}")
    return " ".join(parts)


def value_text(metric: str, value: float | None) -> str:
    if value is None:
        return render.DASH
    if metric == "nps":
        return render.signed(value)
    if metric == "rating":
        return render.decimal(value)
    return render.number(int(value))


def progress_text(p: GoalProgress, *, action_name: str | None = None) -> str:
    """``7 of 12 talks · 58% · on track``; levels read ``NPS +42 (target +50) · behind``."""
    goal = p.goal
    if goal.metric in ("nps", "rating"):
        return _("{label} {value} (target {target}) · {pace}").format(
            label=level_label(goal.metric), value=value_text(goal.metric, p.value),
            target=value_text(goal.metric, goal.target), pace=pace_text(p.pace))
    share = render.percent(100 * p.share if p.share is not None else None)
    counted = count_phrase(goal.metric, value_text(goal.metric, p.value), goal.target,
                           value_text(goal.metric, goal.target), action_name=action_name)
    return f"{counted} · {share} · {pace_text(p.pace)}"


def goal_line(p: GoalProgress, members: Mapping[int, Member], *, action_name: str | None = None,
              with_id: bool = False) -> str:
    """``• #3 Q4 2026 #backend: 7 of 12 talks · 58% · behind`` (markup; user text escaped)."""
    head = period_label(p.goal)
    scope = scope_label(p.goal, members)
    if scope:
        head += " " + scope
    ident = markup.code(f"#{p.goal.id}") + " " if with_id else ""
    return f"• {ident}{markup.escape(head)}: {markup.escape(progress_text(p, action_name=action_name))}"


def members_of(session: Session, goals: list[Goal]) -> dict[int, Member]:
    return members_by_id(session, ids={g.member_id for g in goals if g.member_id is not None})


def progress_on(session: Session, *, team_id: int, day: date) -> list[GoalProgress]:
    """Progress of every goal whose period contains ``day``, measured up to that day."""
    return [progress(session, goal=g, today=day) for g in goals_on(session, team_id=team_id, day=day)]


def goal_section(session: Session, *, team_id: int, day: date, action_name: str | None) -> list[str]:
    """The "Goals" lines of /stats and /report: empty when the team has set none for that day."""
    found = progress_on(session, team_id=team_id, day=day)
    if not found:
        return []
    members = members_of(session, [p.goal for p in found])
    return [markup.bold(_("Goals"))] + [goal_line(p, members, action_name=action_name) for p in found]
