"""The digest's chart is drawn from a layout: the tests check what it says (headline figures, one quantity
per axis, gaps where nothing was measured, a goal's line) and then that it renders as a readable PNG."""

from __future__ import annotations

import io
import math
from datetime import date

from PIL import Image

from handlers.chart import HEIGHT_PX, WIDTH_PX, DashboardLayout, draw_dashboard, render_dashboard
from handlers.chart_style import TARGET
from handlers.dashboard import BucketNumbers, HeadlineNumbers, build_layout
from storage.domain import Kind
from storage.goals import GoalProgress, Pace
from storage.models import Goal
from storage.periods import Period, period_containing, periods_back

WEEK = period_containing("week", date(2026, 11, 16))
WEEKS = periods_back(WEEK, 8)
Q4 = Period("quarter", date(2026, 10, 1), date(2027, 1, 1))
NOW = HeadlineNumbers(activities=6, reach=28_400, contacts=40, cost_per_contact=12.5, rating=4.3, nps=35.0,
                      plan=0.75, hires=1)
BEFORE = HeadlineNumbers(activities=4, reach=32_000, contacts=40, cost_per_contact=10.0, rating=4.5, nps=None,
                         plan=0.5, hires=0)


def bucket(i: int) -> BucketNumbers:
    # Weeks 2 and 5 had no votes and no paid contacts: None, to be drawn as gaps.
    return BucketNumbers(counts={Kind.TALK: i % 2, Kind.PUBLICATION: 2}, reach=1000 * (i + 1), contacts=10 + i,
                         cost_per_contact=None if i in (2, 5) else 10.0 + i,
                         rating=None if i in (2, 5) else 4.0, nps=None if i in (2, 5) else 20.0 + i)


def goal(metric: str, target: float, value: float, pace: Pace) -> GoalProgress:
    row = Goal(id=1, team_id=1, period="quarter", start=Q4.start, end=Q4.end, metric=metric, target=target)
    return GoalProgress(goal=row, value=value, elapsed=0.62, pace=pace)


def layout(buckets=WEEKS, goals=None) -> DashboardLayout:
    return build_layout(title="Team — Weekly digest, 2026-11-16 – 2026-11-22", period=WEEK, buckets=buckets,
                        now=NOW, before=BEFORE, series=[bucket(i) for i in range(len(buckets))],
                        goals=goals or {}, currency="EUR")


def test_the_headline_strip_says_the_figures_their_change_and_goal_progress():
    goals = {"reach": goal("reach", 500_000, 120_000, Pace.BEHIND), "nps": goal("nps", 50, 35, Pace.BEHIND)}
    strip = {h.label: h for h in layout(goals=goals).headlines}

    assert list(strip) == ["Activities", "Reach", "Contacts", "Cost per contact", "Rating", "NPS",
                           "Plan fulfilment", "Hires"]
    assert (strip["Activities"].value, strip["Activities"].change, strip["Activities"].tone) == (
        "6", "▲ 50% vs previous week", "good")
    assert (strip["Reach"].value, strip["Reach"].change, strip["Reach"].tone) == (
        "28.4K", "▼ 11% vs previous week", "bad")
    assert strip["Reach"].goal == "Q4 2026 goal: 24% · behind"
    assert strip["Contacts"].change == "±0% vs previous week"
    # Cost per contact going up is bad news; ratings move by points, not percent.
    assert (strip["Cost per contact"].value, strip["Cost per contact"].tone) == ("€12.50", "bad")
    assert (strip["Rating"].value, strip["Rating"].change) == ("4.3", "▼ 0.2 vs previous week")
    assert (strip["NPS"].value, strip["NPS"].change) == ("+35", "")  # nothing to compare with
    assert strip["NPS"].goal == "Q4 2026: +35, goal +50 · behind"
    assert strip["Plan fulfilment"].value == "75%"


def test_one_quantity_per_axis_and_no_twin_axes():
    figure = draw_dashboard(layout())
    panels = layout().panels
    assert [p.title for p in panels] == ["Activities by kind", "Reach", "Contacts", "Cost per contact",
                                         "Rating (1–5)", "NPS (−100…100)", "Community members"]
    assert [p.unit for p in panels] == ["activities", "people and views", "contacts", "EUR", "mean score", "NPS",
                                        "active (bars) · new (line)"]
    assert len(figure.axes) == len(panels)  # twinx() would add an axes sharing a panel's x
    for ax in figure.axes:
        assert ax.get_shared_x_axes().get_siblings(ax) == [ax]
        assert not ax.yaxis.get_label_position() == "right"


def test_missing_weeks_are_gaps_never_zeros():
    panels = {p.title: p for p in layout().panels}
    nps = panels["NPS (−100…100)"].series[0].values
    assert math.isnan(nps[2]) and math.isnan(nps[5]) and nps[0] == 20.0
    assert panels["NPS (−100…100)"].has_gaps and panels["NPS (−100…100)"].gap_text == "gaps: weeks without answers"
    figure = draw_dashboard(layout())
    nps_axes = next(ax for ax in figure.axes if ax.get_title(loc="left").startswith("NPS"))
    drawn = list(nps_axes.lines[0].get_ydata())
    assert math.isnan(drawn[2]) and math.isnan(drawn[5]) and 0.0 not in drawn
    # Counts are real zeros: a week with no talk has a talk bar of height 0.
    assert panels["Activities by kind"].series[0].values[:2] == (0.0, 1.0)


def test_a_goal_draws_its_pace_or_level_as_a_target_line():
    goals = {"reach": goal("reach", 460_000, 120_000, Pace.BEHIND), "nps": goal("nps", 50, 35, Pace.BEHIND)}
    panels = {p.title: p for p in layout(goals=goals).panels}
    # 460k over Q4's 92 days is 5,000 a day: 35,000 a week.
    assert (panels["Reach"].target, panels["Reach"].target_label) == (35_000, "goal pace 35K a week")
    assert (panels["NPS (−100…100)"].target, panels["NPS (−100…100)"].target_label) == (50, "goal +50")
    assert panels["Contacts"].target is None
    figure = draw_dashboard(layout(goals=goals))
    reach_axes = next(ax for ax in figure.axes if ax.get_title(loc="left") == "Reach")
    targets = [line for line in reach_axes.lines if line.get_color() == TARGET]
    assert [list(line.get_ydata()) for line in targets] == [[35_000, 35_000]]
    contacts_axes = next(ax for ax in figure.axes if ax.get_title(loc="left") == "Contacts")
    assert not [line for line in contacts_axes.lines if line.get_color() == TARGET]


def test_goal_labels_sit_clear_of_the_bars_and_of_the_gap_notes():
    # 46,000 over Q4 is a pace of 3,500 a week: the last weeks' Reach bars (4,000 to 8,000) rise past it, right
    # where a label on the line's end sat on them.
    goals = {"reach": goal("reach", 46_000, 12_000, Pace.BEHIND), "nps": goal("nps", 50, 35, Pace.BEHIND)}
    figure = draw_dashboard(layout(goals=goals))
    renderer = figure.canvas.get_renderer()
    for title, label in (("Reach", "goal pace"), ("NPS (−100…100)", "goal +50")):
        ax = next(ax for ax in figure.axes if ax.get_title(loc="left") == title)
        texts = {t.get_text(): t.get_window_extent(renderer) for t in ax.texts}
        box = next(extent for text, extent in texts.items() if label in text)
        assert not [bar for bar in ax.patches if bar.get_window_extent(renderer).overlaps(box)]
        assert box.y0 >= ax.get_window_extent(renderer).y1  # above the plot, not on its lines and points
        assert not [text for text, extent in texts.items() if label not in text and extent.overlaps(box)]
        assert not ax.title.get_window_extent(renderer).overlaps(box) and not ax.title.get_text() == label
    nps = next(ax for ax in figure.axes if ax.get_title(loc="left") == "NPS (−100…100)")
    assert "gaps: weeks without answers" in [t.get_text() for t in nps.texts]


def test_granularity_in_caption_and_ticks():
    weekly = layout()
    assert weekly.caption == "by week · 8 weeks to 22 November 2026"
    assert weekly.ticks == ("28\nSep", "5\nOct", "12", "19", "26", "2\nNov", "9", "16")
    months = periods_back(period_containing("month", date(2026, 12, 16)), 6)
    monthly = layout(buckets=months)
    assert monthly.caption == "by month · 6 months to December 2026"
    assert monthly.ticks == ("Jul\n2026", "Aug", "Sep", "Oct", "Nov", "Dec")
    assert monthly.panels[1].target is None


def image(png: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(png))
    picture.load()
    return picture


def test_the_png_is_an_opaque_light_card_of_the_expected_size():
    picture = image(render_dashboard(layout())).convert("RGBA")
    assert picture.size == (WIDTH_PX, HEIGHT_PX)
    assert picture.getpixel((2, 2)) == (255, 255, 255, 255)


def test_empty_data_and_a_very_long_title_still_render():
    empty = [BucketNumbers(counts={}, reach=0, contacts=0, cost_per_contact=None, rating=None, nps=None)] * 8
    nothing = HeadlineNumbers(activities=0, reach=0, contacts=0, cost_per_contact=None, rating=None, nps=None,
                              plan=None, hires=0)
    blank = build_layout(title="Weekly digest for " + "a very long team name " * 10, period=WEEK, buckets=WEEKS,
                         now=nothing, before=nothing, series=empty, goals={}, currency="USD")
    assert [p.has_data for p in blank.panels][3:6] == [False, False, False]
    assert image(render_dashboard(blank)).size == (WIDTH_PX, HEIGHT_PX)


def test_nothing_is_left_open_between_renders():
    import gc

    import matplotlib.figure

    render_dashboard(layout())
    gc.collect()
    figures = [o for o in gc.get_objects() if isinstance(o, matplotlib.figure.Figure)]
    assert figures == []


def test_the_chart_in_russian_has_russian_titles_units_headlines_and_month_names():
    from handlers.chart import figure_texts
    from handlers.i18n import use_locale

    with use_locale("ru"):
        russian = layout()
        texts = figure_texts(draw_dashboard(russian))
        months = layout(buckets=periods_back(period_containing("month", date(2026, 11, 16)), 3))
    with use_locale("en"):
        english = figure_texts(draw_dashboard(layout()))

    assert russian.caption == "по неделям · 8 недель до 22 ноября 2026"
    for expected in ("Активности по видам", "Охват", "Контакты", "Стоимость контакта", "Активности", "Наймы",
                     "доклады", "▲ 50\xa0% к прошлой неделе", "5\nокт.", "2\nнояб."):
        assert expected in texts, expected
    assert not {"Activities by kind", "talks", "5\nOct"} & set(texts)
    assert {"Activities by kind", "talks", "5\nOct"} <= set(english)
    assert months.ticks == ("сент.\n2026", "окт.", "нояб.")
