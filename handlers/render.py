"""How activities and numbers read in replies. Markup per handlers.markup; user text always escaped."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_compact_decimal, format_currency, format_decimal

from handlers import markup
from handlers.i18n import _, current_locale
from handlers.words import kind_name, metric_name, status_name
from storage.activities import figures_of
from storage.domain import METRICS, PLACE_WORD, Kind
from storage.metrics import cost_per_contact, engagement, reach
from storage.models import Activity, Member

DASH = "—"


def number(value: int | float | None) -> str:
    if value is None:
        return DASH
    return format_decimal(value, locale=current_locale())


def compact(value: int | float) -> str:
    """1.2M, not 1200000 (charts and tight lists)."""
    return format_compact_decimal(value, format_type="short", fraction_digits=1, locale=current_locale())


def money(amount: Decimal | None, currency: str | None) -> str:
    if amount is None:
        return DASH
    return format_currency(amount, currency or "USD", locale=current_locale())


def percent(value: float | None, *, signed: bool = False) -> str:
    if value is None:
        return DASH
    return f"{value:+.0f}%" if signed else f"{value:.0f}%"


def headline(activity: Activity) -> str:
    """``*talk #42* Scaling Postgres — @ HighLoad++, 2026-11-20``"""
    where = f" @ {markup.escape(activity.venue)}" if activity.venue else ""
    status = "" if activity.status == "done" else f" · {markup.italic(status_name(activity.status))}"
    return (
        f"{markup.bold(f'{kind_name(activity.kind)} #{activity.id}')} {markup.escape(activity.title)}{where}, "
        f"{activity.date.isoformat()}{status}"
    )


def derived_line(activity: Activity) -> str:
    figures = figures_of(activity)
    parts = [_("reach {n}").format(n=number(reach(figures)))]
    if Kind(activity.kind) in (Kind.PUBLICATION, Kind.SOCIAL):
        parts.append(_("engagement {n}").format(n=number(engagement(figures))))
    per_contact = cost_per_contact(activity.cost, activity.contacts)
    if activity.cost is not None or activity.contacts:
        parts.append(_("cost per contact {v}").format(v=money(per_contact, activity.currency)))
    return " · ".join(parts)


def metric_lines(activity: Activity) -> list[str]:
    lines = []
    for name in METRICS:
        value = getattr(activity, name)
        if value is None:
            continue
        shown = money(value, activity.currency) if name == "cost" else number(value)
        lines.append(f"• {metric_name(name)}: {shown}")
    return lines


def details(activity: Activity, *, tags: list[str], owner: Member | None) -> str:
    lines = [headline(activity)]
    lines.extend(metric_lines(activity))
    lines.append(derived_line(activity))
    extras = []
    if owner is not None:
        extras.append(_("owner: {name}").format(name=markup.escape(owner.display_name)))
    if tags:
        extras.append(" ".join(markup.escape(f"#{t}") for t in tags))
    if extras:
        lines.append(" · ".join(extras))
    if activity.url:
        lines.append(markup.link(activity.url, activity.url))
    if activity.notes:
        lines.append(_("notes: {notes}").format(notes=markup.escape(activity.notes)))
    return "\n".join(lines)


def place_word(kind: Kind) -> str:
    return PLACE_WORD[kind]
