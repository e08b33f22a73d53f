"""Chart text stays on the picture: long competency names are wrapped, never cut off."""

from __future__ import annotations

from datetime import date, timedelta

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.dates import num2date
from matplotlib.figure import Figure
from matplotlib.text import Text

from tracker import charts, level_charts
from tracker.chart_layout import NARROW

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
    figure = level_charts.levels(LONG, [3, 1, 2], [2, 2, 2], [4, 3, 2], "Someone: ML Engineer")
    assert_all_text_inside(figure)
    axes = figure.axes[0]
    assert [t.get_text() for t in axes.get_yticklabels()][0] == (
        "Experiment tracking and\nmodel registry"
    )


def test_legends_do_not_cover_the_plot() -> None:
    full = {"ready": 9, "nearly_ready": 0, "in_progress": 0, "not_started": 0}
    weeks = [date(2026, 1, 5) + timedelta(weeks=n) for n in range(12)]
    for figure in (
        level_charts.levels(LONG, [4, 4, 4], [4, 4, 4], [4, 4, 4], "Someone: ML Engineer"),
        charts.band_bars(["ML Engineer", "Data Engineer"], [full, full], "Payments"),
        charts.band_trend(weeks, [full] * 12, "Payments: ML Engineer, week by week"),
    ):
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        legend = figure.legends[0].get_window_extent(canvas.get_renderer())
        plot = figure.axes[0].get_window_extent(canvas.get_renderer())
        assert not legend.overlaps(plot)


def test_heatmap_keeps_long_competency_names_on_the_picture() -> None:
    figure = level_charts.heatmap(
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
    figure = level_charts.heatmap(["Alex Costa"], LONG, [[1, 2, 0]], [2, 2, 2], "Payments")
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
    figure = level_charts.heatmap(
        ["Alex Costa", "Blair Rossi"], names, grid, [2, 3, 2, 3, 3, 2, 1], "X"
    )
    FigureCanvasAgg(figure).draw()
    axes = figure.axes[0]
    assert "0 none · 1 Aware · 2 Working · 3 Practitioner · 4 Expert" in axes.get_xlabel()
    assert not _overlapping(axes.get_xticklabels())
    assert not _overlapping(axes.get_yticklabels())
    assert_all_text_inside(figure)


# --- a phone's drawing (NARROW) -----------------------------------------------------------

PHONE_WIDTH_PX = 310  # CSS px a chart is shown at on a 360 px phone, less the page's margins


def narrow_charts() -> dict[str, Figure]:
    """Every chart kind drawn narrow, with long names, many rows and targets near both edges."""
    bands = {"ready": 1, "nearly_ready": 2, "in_progress": 3, "not_started": 1}
    roles = ["Data Engineer", "ML Engineer", "ML Platform / MLOps Engineer", "ML Product Engineer"]
    weeks = [date(2026, 1, 5) + timedelta(weeks=n) for n in range(52)]
    months = [date(2027, m, 28) for m in range(1, 13)]
    names = [*LONG, "Feature engineering", "Model evaluation", "Deep learning", "Responsible AI"]
    required = [3, 3, 2, 2, 3, 2, 1]
    people = [f"Engineer {n} Longname-Surname" for n in range(12)]
    grid = [[(i + j) % 5 for j in range(len(names))] for i in range(len(people))]
    counts = [[(i + j) % 7 for j in range(5)] for i in range(len(names))]
    title = "Payments and Billing Platform: ML Platform / MLOps Engineer, week by week"
    narrow = NARROW
    return {
        "bands": charts.band_bars(roles, [bands] * 4, title, narrow),
        "trend": charts.band_trend(weeks, [bands] * 52, title, narrow),
        "forecast": charts.forecast(
            months, list(range(12)), [(date(2027, 2, 1), 3), (date(2027, 12, 1), 11)], title, narrow
        ),
        "levels": level_charts.levels(names, [4] * 7, required, [4] * 7, title, narrow),
        "heatmap": level_charts.heatmap(people, names, grid, required, title, narrow),
        "level_counts": level_charts.level_counts(names, counts, required, title, narrow),
    }


def texts_drawn(figure: Figure) -> list[Text]:
    """Every piece of text drawn on the figure, after drawing it.

    A tick outside its axis's range keeps a label that is not drawn: it is left out.
    """
    FigureCanvasAgg(figure).draw()
    undrawn = set()
    for axes in figure.axes:
        for axis in (axes.xaxis, axes.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks():
                if not low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                    undrawn |= {id(tick.label1), id(tick.label2)}
    return [
        t
        for t in figure.findobj(Text)
        if t.get_visible() and t.get_text().strip() and id(t) not in undrawn
    ]


def test_a_phone_gets_a_portrait_picture_and_a_desktop_the_one_it_always_had() -> None:
    for name, figure in narrow_charts().items():
        width, height = figure.get_size_inches()
        assert width == NARROW.width and height > width, name
    wide = charts.band_bars(["ML Engineer"], [{"ready": 1}], "Payments")
    assert list(wide.get_size_inches()) == [8, 4] and wide.dpi == 100


def test_on_a_phone_the_smallest_text_of_every_chart_is_at_least_11_px() -> None:
    for name, figure in narrow_charts().items():
        shown = PHONE_WIDTH_PX / (figure.get_size_inches()[0] * 72)  # CSS px per point
        smallest = min(texts_drawn(figure), key=lambda t: t.get_fontsize())
        assert smallest.get_fontsize() * shown >= 11, f"{name}: {smallest.get_text()!r}"


def test_wide_text_shrunk_onto_a_phone_would_be_unreadable() -> None:
    """Why a phone needs its own drawing: the desktop one's ticks would be under 7 px."""
    figure = charts.band_trend([date(2026, 1, 5)], [{"ready": 1}], "Payments")
    shown = PHONE_WIDTH_PX / (figure.get_size_inches()[0] * 72)
    assert min(t.get_fontsize() for t in texts_drawn(figure)) * shown < 7


def test_on_a_phone_every_chart_keeps_all_its_text_on_the_picture() -> None:
    for figure in narrow_charts().values():
        assert_all_text_inside(figure)


def test_on_a_phone_no_two_pieces_of_text_overlap() -> None:
    for name, figure in narrow_charts().items():
        boxes = [(t.get_text(), t.get_window_extent()) for t in texts_drawn(figure)]
        clashes = [
            (a, b)
            for i, (a, box) in enumerate(boxes)
            for b, other in boxes[i + 1 :]
            if box.overlaps(other)
        ]
        assert not clashes, f"{name}: {clashes}"


def test_on_a_phone_legends_sit_under_the_plot() -> None:
    for name in ("bands", "trend", "forecast", "levels"):
        figure = narrow_charts()[name]
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        legend = figure.legends[0].get_window_extent(canvas.get_renderer())
        plot = figure.axes[0].get_window_extent(canvas.get_renderer())
        assert legend.y1 < plot.y0, name  # below it, not beside it or on it


def test_on_a_phone_the_heatmap_names_each_column_in_a_key_under_it() -> None:
    figure = narrow_charts()["heatmap"]
    FigureCanvasAgg(figure).draw()
    axes = figure.axes[0]
    assert [t.get_text() for t in axes.get_xticklabels()] == list("ABCDEFG")
    key = figure.get_supxlabel().replace("\n    ", " ")
    assert "A  Experiment tracking and model registry (needs 3)" in key
    assert "G  Responsible AI (needs 1)" in key
    assert "0 none, 1 Aware, 2 Working, 3 Practitioner, 4 Expert" in key
    scale = figure.axes[-1].get_xlabel()  # the colour scale, under the grid
    assert scale.replace("\n", " ") == "Share of the required level"


def test_on_a_phone_the_level_counts_still_outline_the_required_level() -> None:
    figure = narrow_charts()["level_counts"]
    axes = figure.axes[0]
    outlined = [int(p.get_x() + 0.5) for p in axes.patches]
    assert outlined == [3, 3, 2, 2, 3, 2, 1]
    assert [t.get_text() for t in axes.get_xticklabels()][3] == "3 Practitioner"
    assert "Outlined: the level the role requires." in figure.get_supxlabel()
