"""Chart rendering: our dashboard against a bare matplotlib figure of the same size and panel count, drawing
the same data from ready lists. The ratio is our overhead (styling, twin axes, legends, formatting).

    .venv/bin/python bench/bench_chart.py [--rounds 15]

Both are timed alternately in one run, so machine noise hits them alike; medians are compared.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from datetime import date

from handlers.chart import DPI, HEIGHT_PX, WIDTH_PX, DashboardData, render_dashboard
from storage.domain import Kind
from storage.periods import period_containing, periods_back


def sample() -> DashboardData:
    weeks = periods_back(period_containing("week", date(2026, 11, 16)), 8)
    return DashboardData(
        periods=weeks, counts={k: [i % 4 + n for i in range(8)] for n, k in enumerate(Kind)},
        reach=[120_000 * (i + 1) for i in range(8)], engagement=[900 * (i + 2) for i in range(8)],
        contacts=[30 + i for i in range(8)], cost_per_contact=[12.5 + i for i in range(8)], currency="USD",
        rating=[4.0 + i / 10 for i in range(8)], nps=[40 + 5 * i for i in range(8)],
        fulfilment=[0.5 + i / 20 for i in range(8)],
    )


def bare(data: DashboardData) -> bytes:
    """The least a 2x2 dashboard takes: same figure, same series, default styling."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.subplots(2, 2)
    x = list(range(len(data.periods)))
    bottom = [0] * len(x)
    for values in data.counts.values():
        axes[0][0].bar(x, values, bottom=bottom)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes[0][1].bar(x, data.reach)
    axes[0][1].plot(x, data.engagement)
    axes[1][0].bar(x, data.contacts)
    axes[1][0].plot(x, data.cost_per_contact)
    axes[1][1].bar(x, data.fulfilment)
    axes[1][1].plot(x, data.nps)
    axes[1][1].plot(x, data.rating)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    data = sample()
    bare(data), render_dashboard(data, title="warm-up")  # fonts and caches loaded outside the timing
    ours, theirs = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        render_dashboard(data, title="Weekly digest, 2026-11-16 – 2026-11-22")
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        bare(data)
        theirs.append(time.perf_counter() - start)
    ours_ms, bare_ms = statistics.median(ours) * 1000, statistics.median(theirs) * 1000
    print(f"dashboard render: median {ours_ms:.0f} ms; bare matplotlib 2x2: median {bare_ms:.0f} ms "
          f"over {rounds} alternating rounds")
    print(f"ratio ours / bare = {ours_ms / bare_ms:.2f}x")


if __name__ == "__main__":
    main()
