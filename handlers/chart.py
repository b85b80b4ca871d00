"""The digest's dashboard, drawn from a :class:`DashboardLayout` — every text and series is decided before
matplotlib is touched, so tests check what the chart says, not only that a PNG exists.

A manager reads it top down: a strip of headline figures (large numbers, their change, goal progress), then
small panels with one quantity per axis — no twin axes mixing units — over weeks or months. Missing data is a
gap (NaN), never a zero; a dashed line marks a goal's pace where the team set one. Sized for the 800 px-wide
inline preview of Slack and Telegram: few, large labels.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from handlers.chart_style import CARD, GRID, INK, MUTED, TARGET, new_figure, shorten
from handlers.render import compact, number, whole

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH_PX, HEIGHT_PX = 1200, 1700
# The strip and the titles were placed on a 1380 px card; the card grew by a row of panels (the community's), so
# positions measured from the top keep their pixels: ``_down(y)`` is where ``y`` of the 1380 px card lands now.
_BASE_PX = 1380


def _down(y: float) -> float:
    return 1 - (1 - y) * _BASE_PX / HEIGHT_PX


def _span(dy: float) -> float:
    """A vertical distance of the 1380 px card, on this one."""
    return dy * _BASE_PX / HEIGHT_PX

Tone = Literal["good", "bad", "neutral"]
TONE_COLOURS: dict[str, str] = {"good": "#007A5A", "bad": "#C44E00", "neutral": MUTED}


@dataclass(frozen=True)
class Headline:
    """One large figure of the strip: "Reach 28k", "+12% vs previous week", "6% of goal · behind"."""

    label: str
    value: str
    change: str = ""
    tone: Tone = "neutral"
    goal: str = ""


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[float, ...]  # one per bucket; NaN where there is no data
    colour: str
    style: Literal["bar", "line"] = "bar"


@dataclass(frozen=True)
class Panel:
    """One quantity on one axis: the series share ``unit``; bars of several series stack."""

    title: str
    unit: str
    series: tuple[Series, ...]
    target: float | None = None  # a goal's value (levels) or its pace per bucket (counts)
    target_label: str = ""
    y_range: tuple[float, float] | None = None  # a fixed scale (rating 1-5, NPS -100..100)
    empty_text: str = ""  # said in the panel when every value is missing
    gap_text: str = ""  # said in a corner when some values are missing (drawn as gaps)
    value_text: Callable[[float], str] = lambda v: number(whole(v))  # the labels on a line's points

    @property
    def has_gaps(self) -> bool:
        return any(math.isnan(v) for s in self.series for v in s.values)

    @property
    def has_data(self) -> bool:
        return any(not math.isnan(v) for s in self.series for v in s.values)


@dataclass(frozen=True)
class DashboardLayout:
    title: str
    caption: str  # the granularity and span: "by week · 8 weeks to 22 Nov 2026"
    ticks: tuple[str, ...]
    headlines: tuple[Headline, ...]
    panels: tuple[Panel, ...]
    legend: tuple[tuple[str, str], ...] = field(default=())  # (label, colour) for the stacked kinds


def render_dashboard(layout: DashboardLayout) -> bytes:
    figure = draw_dashboard(layout)
    out = io.BytesIO()
    figure.savefig(out, format="png", facecolor=CARD)
    return out.getvalue()


def draw_dashboard(layout: DashboardLayout) -> Figure:
    """The figure with every artist placed (tests look at its axes and lines); not yet rasterised."""
    figure = new_figure(width_px=WIDTH_PX, height_px=HEIGHT_PX)
    # Fixed positions for the fixed size: constrained layout would cost more than all the drawing.
    figure.text(0.03, _down(0.975), shorten(layout.title, 70), color=INK, fontsize=21, fontweight="bold", va="top")
    figure.text(0.03, _down(0.948), layout.caption, color=MUTED, fontsize=14, va="top")
    _headlines(figure, layout.headlines)
    rows = math.ceil(len(layout.panels) / 2)
    top, bottom, gap = _down(0.695), _span(0.1), _span(0.085)
    height = (top - bottom - gap * (rows - 1)) / max(rows, 1)
    for i, panel in enumerate(layout.panels):
        row, column = divmod(i, 2)
        left = 0.085 if column == 0 else 0.585
        ax = figure.add_axes((left, top - (row + 1) * height - row * gap, 0.38, height))
        _panel(ax, panel, layout.ticks)
    if layout.legend:
        _legend(figure, layout.legend)
    return figure


def _headlines(figure: Figure, headlines: Sequence[Headline]) -> None:
    if not headlines:
        return
    per_row = min(len(headlines), 4)
    width = 0.94 / per_row
    for i, h in enumerate(headlines):
        row, column = divmod(i, per_row)
        x, y = 0.03 + column * width, _down(0.912) - row * _span(0.105)
        figure.text(x, y, h.label, color=MUTED, fontsize=14, va="top")
        figure.text(x, y - _span(0.016), h.value, color=INK, fontsize=28, fontweight="bold", va="top")
        if h.change:
            figure.text(x, y - _span(0.052), h.change, color=TONE_COLOURS[h.tone], fontsize=12, va="top")
        if h.goal:
            figure.text(x, y - _span(0.071), h.goal, color=INK, fontsize=12, va="top")


def _panel(ax: Axes, panel: Panel, ticks: Sequence[str]) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    x = list(range(len(ticks)))
    ax.set_title(panel.title, color=INK, fontsize=16, loc="left", fontweight="bold", pad=8)
    ax.set_facecolor(CARD)
    ax.grid(axis="y", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(GRID)
    ax.tick_params(colors=MUTED, labelsize=12, length=0)
    ax.set_ylabel(panel.unit, color=MUTED, fontsize=12.5)
    # Every other tick label when they would crowd (13 weeks): the data stays, the words thin out.
    step = 1 if len(ticks) <= 9 else 2
    ax.set_xticks(x, [t if i % step == 0 or "\n" in t else "" for i, t in enumerate(ticks)])
    ax.set_xlim(-0.6, len(ticks) - 0.4)
    bottom = [0.0] * len(x)
    highest = 0.0
    for series in panel.series:
        values = list(series.values)
        if series.style == "bar":
            ax.bar(x, [0.0 if math.isnan(v) else v for v in values], bottom=bottom, color=series.colour, width=0.7,
                   label=series.label)
            bottom = [b + (0.0 if math.isnan(v) else v) for b, v in zip(bottom, values, strict=True)]
            highest = max([highest, *bottom])
        else:
            ax.plot(x, values, color=series.colour, linewidth=2.6, marker="o", markersize=7, label=series.label)
            highest = max([highest, *(v for v in values if not math.isnan(v))])
            # Each measured point carries its value, so a lone week reads as a figure, not a stray dot.
            for xi, v in zip(x, values, strict=True):
                if not math.isnan(v):
                    ax.annotate(panel.value_text(v), (xi, v), textcoords="offset points", xytext=(0, 8),
                                ha="center", fontsize=11, color=series.colour)
    # Notes stack up the panel's right corner, above the plot: a label on the goal's line sat on the bars that
    # rise past it (Reach, Contacts), and nothing inside the plot is free of data in every week.
    notes: list[tuple[str, str, float]] = []  # (text, colour, font size), from the plot's top upwards
    if panel.target is not None:
        ax.axhline(panel.target, color=TARGET, linestyle=(0, (5, 3)), linewidth=1.8)
        highest = max(highest, panel.target)
    if panel.has_gaps and panel.gap_text and (panel.has_data or not panel.empty_text):  # else the empty text says it
        notes.append((panel.gap_text, MUTED, 11))
    if panel.target is not None and panel.target_label:
        notes.append((f"- - {panel.target_label}", TARGET, 12))
    for i, (text, colour, size) in enumerate(notes):
        ax.annotate(text, (1.0, 1.0), xycoords="axes fraction", textcoords="offset points", xytext=(0, 3 + 16 * i),
                    ha="right", va="bottom", color=colour, fontsize=size)
    if panel.y_range is not None:
        ax.set_ylim(*panel.y_range)
    else:
        ax.set_ylim(0, max(highest, 1) * 1.18)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True, min_n_ticks=1))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: compact(value)))
    if not panel.has_data and panel.empty_text:
        ax.text(0.5, 0.5, panel.empty_text, transform=ax.transAxes, ha="center", va="center", color=MUTED,
                fontsize=14)


def _legend(figure: Figure, entries: Sequence[tuple[str, str]]) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(color=colour, label=label) for label, colour in entries]
    figure.legend(handles=handles, loc="lower center", ncols=len(handles), frameon=False, fontsize=12.5,
                  labelcolor=INK, bbox_to_anchor=(0.5, 0.0), handlelength=1.2, columnspacing=1.4)


def figure_texts(figure: Figure) -> list[str]:
    """Every piece of text drawn on the figure (titles, axis labels and ticks, legends), for tests and checks."""
    from matplotlib.text import Text

    return [t.get_text() for t in figure.findobj(Text) if t.get_text()]
