"""The digest's dashboard: one PNG with four panels over the last weeks.

matplotlib's object-oriented API on the Agg canvas only — no pyplot, so no global figure state, and nothing
leaks between renders. Callers run this in a worker thread: the event loop never waits on matplotlib.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from babel.dates import format_date

from handlers.i18n import _, babel_locale
from handlers.render import compact
from storage.domain import Kind
from storage.periods import Period

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH_PX, HEIGHT_PX, DPI = 1600, 1000, 100
# Okabe-Ito: distinguishable with colour blindness, and the same colour for a kind in every chart.
KIND_COLOURS: dict[Kind, str] = {
    Kind.TALK: "#0072B2",
    Kind.EVENT: "#E69F00",
    Kind.PARTNERSHIP: "#009E73",
    Kind.PUBLICATION: "#CC79A7",
    Kind.SOCIAL: "#56B4E9",
}
INK, MUTED, GRID, CARD = "#1f2328", "#57606a", "#d0d7de", "#ffffff"
ACCENT, ACCENT_2, ACCENT_3 = "#D55E00", "#6E40C9", "#1A7F37"
MAX_TITLE = 70
HEADROOM = 1.35  # space above the tallest bar for the legend


@dataclass(frozen=True)
class DashboardData:
    """One value per period (week or month), oldest first. None means "no answers" (drawn as a gap);
    counts are never None: a period with nothing logged is a zero."""

    periods: Sequence[Period]
    counts: dict[Kind, Sequence[int]]
    reach: Sequence[int]
    engagement: Sequence[int]
    contacts: Sequence[int]
    cost_per_contact: Sequence[float | None]
    currency: str
    rating: Sequence[float | None] = field(default_factory=list)
    nps: Sequence[float | None] = field(default_factory=list)
    fulfilment: Sequence[float | None] = field(default_factory=list)  # 0..1


def render_dashboard(data: DashboardData, *, title: str) -> bytes:
    """The PNG, with every word in the current language (titles, axes, legends, month names)."""
    figure = draw_dashboard(data, title=title)
    out = io.BytesIO()
    figure.savefig(out, format="png", facecolor=CARD)
    return out.getvalue()


def draw_dashboard(data: DashboardData, *, title: str) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor=CARD, layout=None)
    FigureCanvasAgg(figure)
    figure.suptitle(_shorten(title), color=INK, fontsize=17, fontweight="bold")
    # Fixed margins for the fixed size: constrained layout would cost more than all the drawing, and tick
    # labels are compact (1.2M), so they fit.
    axes = figure.subplots(2, 2, gridspec_kw={"left": 0.055, "right": 0.945, "top": 0.9, "bottom": 0.075,
                                              "hspace": 0.36, "wspace": 0.3})
    labels = [_label(p) for p in data.periods]
    x = list(range(len(labels)))
    xlabel = _("week starting") if data.periods and data.periods[0].name == "week" else _("month")
    _activities(axes[0][0], x, data)
    _reach(axes[0][1], x, data)
    _contacts(axes[1][0], x, data)
    _quality(axes[1][1], x, data)
    for ax in axes.flat:
        ax.set_xticks(x, labels, fontsize=10, color=MUTED)
        ax.set_xlabel(xlabel, color=MUTED, fontsize=10)
    return figure


def figure_texts(figure: Figure) -> list[str]:
    """Every piece of text drawn on the figure (titles, axis labels and ticks, legends), for tests and checks."""
    from matplotlib.text import Text

    return [t.get_text() for t in figure.findobj(Text) if t.get_text()]


def _style(ax: Axes, title: str) -> None:
    ax.set_title(title, color=INK, fontsize=13, loc="left", fontweight="bold")
    ax.set_facecolor(CARD)
    ax.grid(axis="y", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(GRID)
    ax.tick_params(colors=MUTED, labelsize=10)


def _compact_axis(ax: Axes) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True, min_n_ticks=1))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: compact(value)))


def _activities(ax: Axes, x: list[int], data: DashboardData) -> None:
    _style(ax, _("Activities by kind"))
    bottom = [0] * len(x)
    for kind in Kind:
        values = list(data.counts.get(kind, [0] * len(x)))
        ax.bar(x, values, bottom=bottom, color=KIND_COLOURS[kind], label=_(kind.value), width=0.7)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel(_("activities"), color=MUTED)
    ax.set_ylim(0, max(max(bottom, default=0), 1) * HEADROOM)
    _compact_axis(ax)
    ax.legend(loc="upper left", ncols=5, fontsize=9, frameon=False, labelcolor=INK)


def _reach(ax: Axes, x: list[int], data: DashboardData) -> None:
    _style(ax, _("Reach and engagement"))
    _bars_and_line(ax, x, bars=data.reach, bar_colour="#9ecae1", bar_label=_("reach (people, views)"),
                   bar_axis=_("reach"), line=data.engagement, line_colour=ACCENT, line_label=_("engagement"),
                   line_axis=_("engagement (likes + shares + comments)"))


def _contacts(ax: Axes, x: list[int], data: DashboardData) -> None:
    _style(ax, _("Contacts and cost per contact"))
    cost_label = _("cost per contact, {currency}").format(currency=data.currency)
    _bars_and_line(ax, x, bars=data.contacts, bar_colour="#a1d99b", bar_label=_("contacts"), bar_axis=_("contacts"),
                   line=data.cost_per_contact, line_colour=ACCENT_2, line_label=cost_label, line_axis=cost_label)


def _bars_and_line(ax: Axes, x: list[int], *, bars: Sequence[int], bar_colour: str, bar_label: str,
                   bar_axis: str, line: Sequence[float | None], line_colour: str, line_label: str,
                   line_axis: str) -> None:
    """Counts as bars on the left axis, a second measure as a line on its own right axis (gaps where None)."""
    ax.bar(x, list(bars), color=bar_colour, width=0.7, label=bar_label)
    ax.set_ylabel(bar_axis, color=MUTED)
    ax.set_ylim(0, max(max(bars, default=0), 1) * HEADROOM)
    _compact_axis(ax)
    twin = ax.twinx()
    values = _gaps(line)
    twin.plot(x, values, color=line_colour, marker="o", linewidth=2.2, label=line_label)
    finite = [v for v in values if not math.isnan(v)]
    twin.set_ylim(0, max(max(finite, default=0), 1) * HEADROOM)
    twin.set_ylabel(line_axis, color=line_colour)
    _compact_axis(twin)
    twin.tick_params(colors=line_colour, labelsize=10)
    twin.spines["top"].set_visible(False)
    _legend(ax, twin)


def _quality(ax: Axes, x: list[int], data: DashboardData) -> None:
    _style(ax, _("Plan fulfilment, NPS and rating"))
    fulfilment = [0.0 if v is None else 100 * v for v in (data.fulfilment or [None] * len(x))]
    ax.bar(x, fulfilment, color="#fdd0a2", width=0.7, label=_("plan fulfilment, %"))
    nps = _gaps(data.nps or [None] * len(x))
    ax.plot(x, nps, color=ACCENT_3, marker="s", linewidth=2.2, label=_("NPS"))
    lowest = min((v for v in nps if not math.isnan(v)), default=0.0)
    floor = min(0.0, lowest) - 10 if lowest < 0 else 0
    ax.set_ylim(floor, 100 * HEADROOM)
    ax.set_yticks([t for t in range(-100, 101, 25) if t >= floor])
    ax.axhline(0, color=GRID, linewidth=1)
    ax.set_ylabel(_("% and NPS (−100…100)"), color=MUTED)
    twin = ax.twinx()
    twin.plot(x, _gaps(data.rating or [None] * len(x)), color=ACCENT, marker="o", linewidth=2.2,
              label=_("rating (1–5)"))
    twin.set_ylim(0, 5 * HEADROOM)
    twin.set_yticks([1, 2, 3, 4, 5])
    twin.set_ylabel(_("rating (1–5)"), color=ACCENT)
    twin.tick_params(colors=ACCENT, labelsize=10)
    twin.spines["top"].set_visible(False)
    _legend(ax, twin)


def _legend(ax: Axes, twin: Axes) -> None:
    handles, labels = ax.get_legend_handles_labels()
    more_handles, more_labels = twin.get_legend_handles_labels()
    ax.legend(handles + more_handles, labels + more_labels, loc="upper left", fontsize=9, frameon=False,
              labelcolor=INK, ncols=3)


def _label(period: Period) -> str:
    """Month names from Babel's CLDR data in the current language (16 Nov / 16 нояб.), never the C locale's."""
    pattern = {"week": "dd MMM", "month": "LLL yyyy"}.get(period.name, "QQQ yyyy")
    return format_date(period.start, pattern, locale=babel_locale())


def _gaps(values: Sequence[float | None]) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_TITLE else text[: MAX_TITLE - 1] + "…"
