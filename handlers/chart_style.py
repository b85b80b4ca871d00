"""What every chart shares: the colour-blind-safe palette (Okabe-Ito), ink colours, and a bare Agg figure.

matplotlib's object-oriented API on the Agg canvas only — no pyplot, so no global figure state, and nothing
leaks between renders. Callers run rendering in a worker thread: the event loop never waits on matplotlib.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.domain import Kind

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DPI = 100
# Okabe-Ito: distinguishable with the common colour-vision deficiencies, and the same colour for a kind in
# every chart.
KIND_COLOURS: dict[Kind, str] = {
    Kind.TALK: "#0072B2",
    Kind.EVENT: "#E69F00",
    Kind.PARTNERSHIP: "#009E73",
    Kind.PUBLICATION: "#CC79A7",
    Kind.SOCIAL: "#56B4E9",
}
SERIES: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9")
INK, MUTED, GRID, CARD = "#1f2328", "#57606a", "#d0d7de", "#ffffff"
GOOD, BAD = "#009E73", "#D55E00"
TARGET = "#D55E00"
MAX_TITLE = 80


def new_figure(*, width_px: int, height_px: int) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI, facecolor=CARD, layout=None)
    FigureCanvasAgg(figure)
    return figure


def shorten(text: str, limit: int = MAX_TITLE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
