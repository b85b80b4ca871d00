"""The funnel as a picture: one bar per step, widths on a log scale (hires would vanish beside the reach on a
linear one), each bar labelled with its figure and each step with its conversion."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from handlers.chart_style import CARD, INK, MUTED, SERIES, new_figure, shorten
from handlers.i18n import _
from handlers.render import compact, number

if TYPE_CHECKING:
    from matplotlib.axes import Axes


@dataclass(frozen=True)
class FunnelLayout:
    title: str
    steps: tuple[str, ...]
    values: tuple[int, ...]
    conversions: tuple[str, ...]  # between step i and i + 1, formatted

    @property
    def bar_widths(self) -> tuple[float, ...]:
        """What each bar is drawn as: its value, and a hair for a zero (a log axis has no zero)."""
        return tuple(max(v, 0.5) for v in self.values)


def render_funnel(layout: FunnelLayout) -> bytes:
    figure = new_figure(width_px=1200, height_px=600)
    figure.suptitle(shorten(layout.title), color=INK, fontsize=18, fontweight="bold", x=0.03, ha="left")
    draw_funnel(figure.add_axes((0.2, 0.1, 0.72, 0.74)), layout)
    out = io.BytesIO()
    figure.savefig(out, format="png", facecolor=CARD)
    return out.getvalue()


def draw_funnel(ax: Axes, layout: FunnelLayout) -> None:
    y = list(range(len(layout.steps)))[::-1]
    ax.barh(y, layout.bar_widths, color=SERIES[: len(layout.steps)], height=0.62)
    from matplotlib.ticker import FuncFormatter, NullLocator

    ax.set_xscale("log")
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: compact(value) if value >= 1 else ""))
    ax.set_xlim(0.5, max(max(layout.bar_widths), 1) * 12)
    ax.set_yticks(y, layout.steps, fontsize=15, color=INK)
    ax.tick_params(axis="x", colors=MUTED, labelsize=11)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    for row, value, width in zip(y, layout.values, layout.bar_widths, strict=True):
        ax.text(width * 1.12, row, number(value), va="center", fontsize=16, fontweight="bold", color=INK)
    for row, text in zip(y[1:], layout.conversions, strict=True):
        ax.text(max(layout.bar_widths) * 11, row + 0.5, "↓ " + text, va="center", ha="right", fontsize=13,
                color=MUTED)
    ax.set_xlabel(_("people (log scale)"), color=MUTED, fontsize=11)
