"""Chart rendering: our dashboard against a bare matplotlib figure with the same artists — the same figure
size, the same axes at the same places, the same bars, lines, target lines, point labels, texts and legend,
with default styling. The ratio is the cost of our styling and formatting (the goal: at most 1.3x).

    .venv/bin/python bench/bench_chart.py [--rounds 15]

Both are timed alternately in one run, so machine noise hits them alike; medians are compared.
"""

from __future__ import annotations

import argparse
import io
import math
import statistics
import time
from datetime import date

from handlers.chart import HEIGHT_PX, WIDTH_PX, DashboardLayout, render_dashboard
from handlers.chart_style import DPI
from handlers.dashboard import BucketNumbers, HeadlineNumbers, build_layout
from storage.domain import Kind
from storage.goals import GoalProgress, Pace
from storage.models import Goal
from storage.periods import Period, period_containing, periods_back


def sample() -> DashboardLayout:
    week = period_containing("week", date(2026, 11, 16))
    weeks = periods_back(week, 8)
    series = [
        BucketNumbers(counts={k: (i + n) % 4 for n, k in enumerate(Kind)}, reach=120_000 * (i + 1), contacts=30 + i,
                      cost_per_contact=None if i == 3 else 12.5 + i, rating=None if i == 5 else 4.0 + i / 10,
                      nps=None if i in (2, 6) else 40 + 5 * i, active_members=20 + 3 * i, new_members=2 + i % 3)
        for i in range(8)
    ]
    now = HeadlineNumbers(activities=9, reach=960_000, contacts=37, cost_per_contact=19.5, rating=4.7, nps=75,
                          plan=0.75, hires=2)
    before = HeadlineNumbers(activities=8, reach=840_000, contacts=36, cost_per_contact=18.5, rating=4.6, nps=None,
                             plan=0.5, hires=1)
    q4 = Period("quarter", date(2026, 10, 1), date(2027, 1, 1))
    goals = {m: GoalProgress(goal=Goal(id=i, team_id=1, period="quarter", start=q4.start, end=q4.end, metric=m,
                                       target=t), value=v, elapsed=0.6, pace=Pace.ON_TRACK)
             for i, (m, t, v) in enumerate((("reach", 5e6, 4e6), ("contacts", 300, 250), ("nps", 50, 60)))}
    return build_layout(title="Team — Weekly digest, 2026-11-16 – 2026-11-22", period=week, buckets=weeks,
                        now=now, before=before, series=series, goals=goals, currency="USD")


def bare(layout: DashboardLayout) -> bytes:
    """The same artists on a default-styled figure: what drawing this content costs at the least."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    figure.text(0.03, 0.975, layout.title)
    figure.text(0.03, 0.948, layout.caption)
    for i, h in enumerate(layout.headlines):
        row, column = divmod(i, 4)
        x, y = 0.03 + column * 0.235, 0.912 - row * 0.105
        for offset, text in ((0, h.label), (0.016, h.value), (0.052, h.change), (0.071, h.goal)):
            if text:
                figure.text(x, y - offset, text)
    x = list(range(len(layout.ticks)))
    height = (0.695 - 0.1 - 0.085 * 2) / 3
    for i, panel in enumerate(layout.panels):
        row, column = divmod(i, 2)
        ax = figure.add_axes((0.085 if column == 0 else 0.585, 0.695 - (row + 1) * height - row * 0.085, 0.38,
                              height))
        ax.set_title(panel.title)
        ax.set_ylabel(panel.unit)
        ax.set_xticks(x, layout.ticks)
        bottom = [0.0] * len(x)
        for s in panel.series:
            values = [0.0 if math.isnan(v) else v for v in s.values]
            if s.style == "bar":
                ax.bar(x, values, bottom=bottom)
                bottom = [b + v for b, v in zip(bottom, values, strict=True)]
            else:
                ax.plot(x, s.values, marker="o")
                for xi, v in zip(x, s.values, strict=True):
                    if not math.isnan(v):
                        ax.annotate(f"{v:.0f}", (xi, v))
        if panel.target is not None:
            ax.axhline(panel.target)
            ax.text(len(x) - 0.45, panel.target, panel.target_label)
    from matplotlib.patches import Patch

    figure.legend(handles=[Patch(color=c, label=label) for label, c in layout.legend], loc="lower center",
                  ncols=len(layout.legend))
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    layout = sample()
    bare(layout), render_dashboard(layout)  # fonts and caches loaded outside the timing
    ours, theirs = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        render_dashboard(layout)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        bare(layout)
        theirs.append(time.perf_counter() - start)
    ours_ms, bare_ms = statistics.median(ours) * 1000, statistics.median(theirs) * 1000
    print(f"dashboard render: median {ours_ms:.0f} ms; bare matplotlib, same artists: median {bare_ms:.0f} ms "
          f"over {rounds} alternating rounds")
    print(f"ratio ours / bare = {ours_ms / bare_ms:.2f}x (goal: at most 1.30x)")


if __name__ == "__main__":
    main()
