"""The dashboard PNG: a valid image of the expected size, drawn for full, sparse and huge data."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image

from handlers.chart import HEIGHT_PX, WIDTH_PX, DashboardData, render_dashboard
from storage.domain import Kind
from storage.periods import period_containing, periods_back

WEEKS = periods_back(period_containing("week", date(2026, 11, 16)), 8)


def data(**overrides) -> DashboardData:
    values = dict(
        periods=WEEKS, counts={k: [1, 0, 2, 0, 3, 0, 1, 2] for k in Kind}, reach=[10, 0, 2_500_000, 0, 5, 0, 1, 3],
        engagement=[0, 0, 1_200_000, 0, 2, 0, 0, 1], contacts=[1, 0, 3, 0, 0, 0, 5, 9],
        cost_per_contact=[None, None, 33.3, None, None, None, 12.0, 8.5], currency="EUR",
        rating=[4.5, None, None, 3.9, None, None, 5.0, 4.2], nps=[-40, None, 91, None, None, 0, None, 55],
        fulfilment=[1.0, None, 0.5, 0.0, None, 1.0, 0.75, None],
    )
    values.update(overrides)
    return DashboardData(**values)  # type: ignore[arg-type]


def image(png: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(png))
    picture.load()
    return picture


def test_the_dashboard_is_a_png_of_the_expected_size():
    picture = image(render_dashboard(data(), title="Weekly digest, 2026-11-16 – 2026-11-22"))
    assert (picture.format, picture.size) == ("PNG", (WIDTH_PX, HEIGHT_PX))


def test_an_opaque_light_card_so_it_reads_on_dark_and_light_themes():
    picture = image(render_dashboard(data(), title="x")).convert("RGBA")
    corner = picture.getpixel((2, 2))
    assert corner == (255, 255, 255, 255)


def test_empty_weeks_and_a_very_long_title_still_render():
    empty = data(counts={k: [0] * 8 for k in Kind}, reach=[0] * 8, engagement=[0] * 8, contacts=[0] * 8,
                 cost_per_contact=[None] * 8, rating=[None] * 8, nps=[None] * 8, fulfilment=[None] * 8)
    picture = image(render_dashboard(empty, title="Weekly digest for " + "a very long team name " * 10))
    assert picture.size == (WIDTH_PX, HEIGHT_PX)


def test_monthly_buckets_are_labelled_by_month():
    months = periods_back(period_containing("month", date(2026, 11, 16)), 6)
    six = data(periods=months, counts={k: [1] * 6 for k in Kind}, reach=[1] * 6, engagement=[1] * 6,
               contacts=[1] * 6, cost_per_contact=[1.0] * 6, rating=[4.0] * 6, nps=[10] * 6, fulfilment=[0.5] * 6)
    assert image(render_dashboard(six, title="Quarterly report")).size == (WIDTH_PX, HEIGHT_PX)


def test_nothing_is_left_open_between_renders():
    import gc

    import matplotlib.figure

    render_dashboard(data(), title="x")
    gc.collect()
    figures = [o for o in gc.get_objects() if isinstance(o, matplotlib.figure.Figure)]
    assert figures == []


def test_the_chart_in_russian_has_russian_titles_axes_legends_and_month_names():
    from handlers.chart import draw_dashboard, figure_texts
    from handlers.i18n import use_locale

    with use_locale("ru"):
        texts = figure_texts(draw_dashboard(data(), title="Еженедельный дайджест"))
        png = render_dashboard(data(), title="Еженедельный дайджест")
    with use_locale("en"):
        english = figure_texts(draw_dashboard(data(), title="Weekly digest"))

    for expected in ("Активности по видам", "Охват и вовлечённость", "Контакты и стоимость контакта",
                     "Выполнение плана, NPS и оценка", "доклад", "мероприятие", "партнёрство", "публикация", "соцсети",
                     "неделя с", "охват (люди, просмотры)", "стоимость контакта, EUR", "оценка (1–5)", "16 нояб."):
        assert expected in texts, expected
    assert not {"Activities by kind", "talk", "week starting", "16 Nov"} & set(texts)
    assert {"Activities by kind", "talk", "week starting", "16 Nov"} <= set(english)
    assert image(png).format == "PNG"


def test_months_on_a_russian_chart_are_russian():
    from handlers.chart import draw_dashboard, figure_texts
    from handlers.i18n import use_locale

    months = periods_back(period_containing("month", date(2026, 11, 16)), 3)
    three = data(periods=months, counts={k: [1] * 3 for k in Kind}, reach=[1] * 3, engagement=[1] * 3,
                 contacts=[1] * 3, cost_per_contact=[1.0] * 3, rating=[4.0] * 3, nps=[10] * 3, fulfilment=[0.5] * 3)
    with use_locale("ru"):
        texts = figure_texts(draw_dashboard(three, title="Отчёт за квартал"))

    assert {"сент. 2026", "окт. 2026", "нояб. 2026", "месяц"} <= set(texts)
