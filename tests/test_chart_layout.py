"""Chart text stays on the picture: long competency names are wrapped, never cut off."""

from __future__ import annotations

from datetime import date, timedelta

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.dates import num2date
from matplotlib.figure import Figure

from tracker import charts

LONG = [
    "Experiment tracking and model registry",
    "Model serving and deployment on shared platforms",
    "Statistics for ML",
]


def assert_all_text_inside(figure: Figure) -> None:
    """Everything drawn (titles, tick labels, legends) lies within the picture's edges."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    drawn = figure.get_tightbbox(canvas.get_renderer())  # in inches
    width, height = figure.get_size_inches()
    assert drawn.x0 >= -0.01 and drawn.x1 <= width + 0.01, f"cut off sideways: {drawn}"
    assert drawn.y0 >= -0.01 and drawn.y1 <= height + 0.01, f"cut off at top or bottom: {drawn}"


def test_levels_chart_keeps_long_competency_names_and_its_legend_on_the_picture() -> None:
    figure = charts.levels(LONG, [3, 1, 2], [2, 2, 2], [4, 3, 2], "Someone: ML Engineer")
    assert_all_text_inside(figure)
    axes = figure.axes[0]
    assert [t.get_text() for t in axes.get_yticklabels()][0] == (
        "Experiment tracking and\nmodel registry"
    )


def test_legends_do_not_cover_the_plot() -> None:
    full = {"ready": 9, "nearly_ready": 0, "in_progress": 0, "not_started": 0}
    weeks = [date(2026, 1, 5) + timedelta(weeks=n) for n in range(12)]
    for figure in (
        charts.levels(LONG, [4, 4, 4], [4, 4, 4], [4, 4, 4], "Someone: ML Engineer"),
        charts.band_bars(["ML Engineer", "Data Engineer"], [full, full], "Payments"),
        charts.band_trend(weeks, [full] * 12, "Payments: ML Engineer, week by week"),
    ):
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        legend = figure.legends[0].get_window_extent(canvas.get_renderer())
        plot = figure.axes[0].get_window_extent(canvas.get_renderer())
        assert not legend.overlaps(plot)


def test_heatmap_keeps_long_competency_names_on_the_picture() -> None:
    figure = charts.heatmap(
        ["Alex Costa", "Blair Rossi"], LONG, [[1, 2, 0], [3, 0, 2]], [2, 2, 2], "Payments"
    )
    assert_all_text_inside(figure)


def test_team_charts_keep_their_text_on_the_picture() -> None:
    bands = {"ready": 1, "nearly_ready": 2, "in_progress": 3, "not_started": 1}
    roles = ["ML Platform / MLOps Engineer", "ML Product Engineer", "Data Engineer"]
    weeks = [date(2026, 1, 5) + timedelta(weeks=n) for n in range(12)]
    months = [date(2026, m, 1) for m in range(1, 13)]
    for figure in (
        charts.band_bars(roles, [bands] * 3, "Payments: engineers per band"),
        charts.band_trend(weeks, [bands] * 12, "Payments: ML Engineer, week by week"),
        charts.forecast(months, list(range(12)), [(date(2026, 9, 1), 5)], "Payments: forecast"),
    ):
        assert_all_text_inside(figure)


def test_heatmap_has_a_colour_scale_that_says_what_the_shades_mean() -> None:
    figure = charts.heatmap(["Alex Costa"], LONG, [[1, 2, 0]], [2, 2, 2], "Payments")
    scale = figure.axes[-1]
    assert len(figure.axes) == 2
    assert scale.get_ylabel() == "Share of the required level"
    assert [t.get_text() for t in scale.get_yticklabels()] == ["none", "half", "all"]


def test_each_target_is_a_line_to_read_the_forecast_against() -> None:
    months = [date(2027, m, 28) for m in range(1, 13)]
    targets = [(date(2027, 4, 1), 3), (date(2027, 9, 1), 6)]
    figure = charts.forecast(months, list(range(12)), targets, "Payments: forecast")
    axes = figure.axes[0]
    lines = [c for c in axes.collections if isinstance(c, LineCollection)]
    assert len(lines) == 2
    for (by, count), line in zip(targets, lines, strict=True):
        ((start, low), (end, high)) = line.get_segments()[0]
        assert low == high == count  # level: the count wanted ...
        assert num2date(end).date() == by  # ... up to the day it is wanted by
        assert num2date(start).date() <= months[0]
        assert line.get_linestyle() != [(0, None)]  # dashed, unlike the forecast's own line
    labels = {text.get_text() for text in axes.texts}
    assert {"3 by 2027-04-01", "6 by 2027-09-01"} <= labels
    assert "Staffing target" in [t.get_text() for t in axes.get_legend().get_texts()]


def _overlapping(labels) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Return the pairs of neighbouring tick labels whose drawn boxes overlap."""
    boxes = [(label.get_text(), label.get_window_extent()) for label in labels if label.get_text()]
    pairs = zip(boxes, boxes[1:], strict=False)
    return [(a, b) for (a, box), (b, other) in pairs if box.overlaps(other)]


def test_heatmap_names_each_level_and_its_labels_never_overlap() -> None:
    names = [*LONG, "Feature engineering", "Model evaluation", "Deep learning", "Responsible AI"]
    grid = [[1, 2, 0, 3, 2, 1, 0], [3, 0, 2, 2, 1, 0, 4]]
    figure = charts.heatmap(["Alex Costa", "Blair Rossi"], names, grid, [2, 3, 2, 3, 3, 2, 1], "X")
    FigureCanvasAgg(figure).draw()
    axes = figure.axes[0]
    assert "0 none · 1 Aware · 2 Working · 3 Practitioner · 4 Expert" in axes.get_xlabel()
    assert not _overlapping(axes.get_xticklabels())
    assert not _overlapping(axes.get_yticklabels())
    assert_all_text_inside(figure)
