"""The quarterly review: a few PDF pages a lead can send upward — the headline figures, the goal table, the
hiring funnel, the charts by month, the top activities and the community's figures.

Built with matplotlib's PDF backend (PdfPages), one figure per page, TrueType fonts embedded so the text can
be searched and copied (and read back by tests).
"""

from __future__ import annotations

import io
import logging
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlmodel import Session

from handlers import render
from handlers.chart import TONE_COLOURS, DashboardLayout, draw_dashboard
from handlers.chart_style import CARD, INK, MUTED, new_figure, shorten
from handlers.funnel import funnel_layout, funnel_title
from handlers.funnel_chart import draw_funnel
from handlers.goal_text import members_of, period_label, progress_on, progress_text, scope_label
from handlers.i18n import _
from handlers.markup import to_plain
from storage.funnel import funnel
from storage.metrics.period import window_numbers
from storage.metrics.totals import top_by_reach
from storage.metrics.windows import window_of
from storage.models import Goal, Team
from storage.periods import Period, local_today, period_containing, periods_back

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PAGE = (8.27, 11.69)  # A4 portrait, inches
TOP_ACTIVITIES = 10


@dataclass(frozen=True)
class Review:
    pdf: bytes
    pages: tuple[str, ...]  # each page's heading, in order
    headline: tuple[tuple[str, str], ...]  # (label, value) of the headline page


def quarter_label(period: Period) -> str:
    return period_label(Goal(team_id=0, period="quarter", start=period.start, end=period.end, metric="talks",
                             target=1))


def build_review(session: Session, *, team: Team, period: Period, now: datetime) -> Review:
    from matplotlib import rc_context
    from matplotlib.backends.backend_pdf import PdfPages

    # fontTools reports every font it subsets at INFO: noise in a bot's log.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    pages = review_pages(session, team=team, period=period, now=now)
    out = io.BytesIO()
    # TrueType (42) instead of Type 3 fonts: the text layer stays searchable and extractable.
    with rc_context({"pdf.fonttype": 42}), PdfPages(out, metadata={"Title": pages.title,
                                                                   "Creator": "devrelbot"}) as pdf:
        for figure in pages.figures:
            pdf.savefig(figure, facecolor=CARD)
    return Review(pdf=out.getvalue(), pages=pages.headings,
                  headline=tuple((h.label, h.value) for h in pages.layout.headlines))


@dataclass(frozen=True)
class ReviewPages:
    title: str
    headings: tuple[str, ...]
    layout: DashboardLayout  # the headline page's figures and the charts by month
    figures: tuple[Figure, ...]  # one per page, in order (also drawn as images for the README)


def review_pages(session: Session, *, team: Team, period: Period, now: datetime) -> ReviewPages:
    from handlers.digest_content import dashboard_layout

    today = local_today(now, team.timezone)
    quarter = quarter_label(period)
    so_far = " " + _("(so far)") if window_of(period, today=today).running else ""
    title = _("{team} — quarterly review, {quarter}").format(team=team.name, quarter=quarter) + so_far
    months = periods_back(period_containing("month", period.last_day), 3)
    layout = dashboard_layout(session, team=team, period=period, buckets=months, now=now, title=title)
    day = min(today, period.last_day)
    headings = (_("Headline figures"), _("Goals"), _("Hiring funnel"), _("By month"), _("Top activities"))
    figures = (
        _headline_page(title, headings[0], layout),
        _goal_page(session, team=team, day=day, heading=headings[1], title=title),
        _funnel_page(session, team=team, period=period, heading=headings[2], title=title),
        draw_dashboard(layout),
        _top_page(session, team=team, period=period, today=today, heading=headings[4], title=title),
    )
    return ReviewPages(title=title, headings=headings, layout=layout, figures=figures)


def _page(title: str, heading: str) -> Figure:
    figure = new_figure(width_px=round(PAGE[0] * 100), height_px=round(PAGE[1] * 100))
    figure.text(0.07, 0.955, shorten(title, 70), color=MUTED, fontsize=10, va="top")
    figure.text(0.07, 0.925, heading, color=INK, fontsize=22, fontweight="bold", va="top")
    return figure


def _lines(figure: Figure, lines: Sequence[str], *, top: float, size: float = 11, step: float = 0.024,
           bold: frozenset[str] = frozenset()) -> float:
    """Lines top down, long ones wrapped (indented) to the page's width at this size."""
    width = round(95 * 10.5 / size)
    y = top
    for line in lines:
        for n, part in enumerate(textwrap.wrap(line, width=width, subsequent_indent="    ") or [""]):
            figure.text(0.07, y, part, color=INK, fontsize=size, va="top",
                        fontweight="bold" if line in bold and n == 0 else "normal")
            y -= step
    return y


def _headline_page(title: str, heading: str, layout: DashboardLayout) -> Figure:
    figure = _page(title, heading)
    figure.text(0.07, 0.885, layout.caption, color=MUTED, fontsize=11, va="top")
    for i, h in enumerate(layout.headlines):
        row, column = divmod(i, 2)
        x, y = 0.07 + column * 0.45, 0.83 - row * 0.19
        figure.text(x, y, h.label, color=MUTED, fontsize=14, va="top")
        figure.text(x, y - 0.025, h.value, color=INK, fontsize=34, fontweight="bold", va="top")
        if h.change:
            figure.text(x, y - 0.085, h.change, color=TONE_COLOURS[h.tone], fontsize=12, va="top")
        if h.goal:
            figure.text(x, y - 0.11, h.goal, color=INK, fontsize=12, va="top")
    return figure


def _goal_page(session: Session, *, team: Team, day: date, heading: str, title: str) -> Figure:
    figure = _page(title, heading)
    found = progress_on(session, team_id=team.id or 0, day=day)
    if not found:
        _lines(figure, [_("No goals were set for this period. An admin sets them with /goal.")], top=0.87)
        return figure
    members = members_of(session, [p.goal for p in found])
    rows = []
    for p in found:
        scope = scope_label(p.goal, members)
        rows.append(f"{period_label(p.goal)}{' ' + scope if scope else ''}: "
                    f"{progress_text(p, action_name=team.target_action_name)}")
    _lines(figure, rows, top=0.87, size=13, step=0.034)
    return figure


def _funnel_page(session: Session, *, team: Team, period: Period, heading: str, title: str) -> Figure:
    from handlers.funnel import funnel_text

    figure = _page(title, heading)
    result = funnel(session, team_id=team.id or 0, start=period.start, end=period.end, timezone=team.timezone)
    name = funnel_title(period, (), None, None)
    text = to_plain(funnel_text(result, title=name, action_name=team.target_action_name)).splitlines()[1:]
    if result.activities:
        draw_funnel(figure.add_axes((0.3, 0.55, 0.62, 0.33)), funnel_layout(result, title=name,
                                                                             action_name=team.target_action_name))
    _lines(figure, text, top=0.47 if result.activities else 0.87, size=10.5, step=0.022)
    return figure


def _top_page(session: Session, *, team: Team, period: Period, today: date, heading: str, title: str) -> Figure:
    from handlers.feedback_results import nps_text, rating_text
    from handlers.metric_text import hiring_text, reported_text

    figure = _page(title, heading)
    numbers = window_numbers(session, team=team, window=window_of(period, today=today))
    best = top_by_reach(numbers.totals, TOP_ACTIVITIES)
    lines = [
        f"{n}. {to_plain(render.headline(r.activity))} — {_('reach')} {render.number(r.reach)}, "
        f"{_('contacts')} {render.number(r.contacts)}, {_('hires')} {render.number(r.hires)}"
        for n, r in enumerate(best, start=1)
    ] or [_("Nothing was done in this period.")]
    y = _lines(figure, lines, top=0.87, size=10, step=0.026)
    community = [
        _("Community"),
        f"• {_('Rating')}: {rating_text(numbers.votes.rating, numbers.votes.rating_count)}",
        f"• {_('NPS')}: {to_plain(nps_text(numbers.votes.nps))}",
        *[f"• {text}" for text in [reported_text(numbers.reported_rating, numbers.reported_nps)] if text],
        f"• {_('Hiring influence')}: {hiring_text(numbers.hiring)}",
    ]
    _lines(figure, community, top=y - 0.03, size=11, bold=frozenset({_("Community")}))
    return figure


def parse_quarter(text: str) -> Period:
    """``2026-Q4`` → the quarter; ValueError otherwise."""
    year, _sep, q = text.strip().upper().partition("-Q")
    if not (year.isdigit() and q in ("1", "2", "3", "4")):
        raise ValueError(text)
    return period_containing("quarter", date(int(year), 3 * int(q) - 2, 1))
