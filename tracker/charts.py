"""Charts as bytes: matplotlib's object API (never pyplot), plain data in, PNG or SVG out.

Each chart is drawn for a layout (tracker.chart_layout): WIDE, a page's column on a desktop,
the default; or NARROW, a phone's screen.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from tracker.chart_layout import (
    WIDE,
    Layout,
    date_axis,
    legend_below,
    new_figure,
    titled,
    wrapped,
)

# Okabe-Ito, safe for colour-blind readers; one colour per band, always in this order.
BAND_COLOURS = {
    "ready": "#009E73",
    "nearly_ready": "#56B4E9",
    "in_progress": "#E69F00",
    "not_started": "#BBBBBB",
}
BAND_LABELS = {
    "ready": "Ready",
    "nearly_ready": "Nearly ready",
    "in_progress": "In progress",
    "not_started": "Not started",
}
LEVEL_COLOURS = ("#0072B2", "#CC79A7", "#999999")  # demonstrated, required, claimed


def render(figure: Figure, fmt: str) -> bytes:
    """Return the figure as PNG or SVG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    return buffer.getvalue()


def band_bars(
    labels: Sequence[str], counts: Sequence[dict[str, int]], title: str, layout: Layout = WIDE
) -> Figure:
    """Stacked bars: engineers per band for each role; on a phone, across, a role a row."""
    figure = new_figure(layout)
    axes = figure.add_subplot()
    start = [0] * len(labels)
    names = [wrapped(label, 16) for label in labels]
    for band, colour in BAND_COLOURS.items():
        values = [c.get(band, 0) for c in counts]
        if layout.narrow:
            axes.barh(names, values, left=start, color=colour, label=BAND_LABELS[band])
        else:
            axes.bar(names, values, bottom=start, color=colour, label=BAND_LABELS[band])
        start = [b + v for b, v in zip(start, values, strict=True)]
    titled(axes, title, layout)
    if layout.narrow:
        axes.invert_yaxis()  # the first role on top, as in the table
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel("Engineers", fontsize=layout.text)
        legend_below(figure, layout)
        return figure
    axes.set_ylabel("Engineers")
    axes.set_xlabel("Target role")
    figure.legend(loc="outside right upper", fontsize="small", frameon=False)
    return figure


def band_trend(
    weeks: Sequence[date], counts: Sequence[Mapping[str, int]], title: str, layout: Layout = WIDE
) -> Figure:
    """Stacked areas: engineers per band, week by week."""
    figure = new_figure(layout)
    axes = figure.add_subplot()
    series = [[c.get(band, 0) for c in counts] for band in BAND_COLOURS]
    axes.stackplot(
        list(weeks), *series, colors=list(BAND_COLOURS.values()), labels=list(BAND_LABELS.values())
    )
    titled(axes, title, layout)
    axes.set_ylabel("Engineers", fontsize=layout.text)
    axes.set_xlabel("Week", fontsize=layout.text)
    if layout.narrow:
        legend_below(figure, layout)
    else:
        figure.legend(loc="outside right upper", fontsize="small", frameon=False)
    date_axis(axes, figure, layout)
    return figure


TARGET_COLOUR = "#A63D00"  # the darker vermilion text uses too: 6.4:1 on white


def forecast(
    months: Sequence[date],
    ready: Sequence[int],
    targets: Sequence[tuple[date, int]],
    title: str,
    layout: Layout = WIDE,
) -> Figure:
    """Engineers ready now or projected ready by each month, against the staffing targets."""
    figure = new_figure(layout)
    axes = figure.add_subplot()
    axes.step(
        list(months),
        list(ready),
        where="post",
        color=BAND_COLOURS["ready"],
        label="Ready or projected ready",
    )
    start = min([*months, *(by for by, _ in targets)]) if months else None
    for i, (by, count) in enumerate(targets):
        # a line the step can be read against: the count wanted, up to the day it is wanted by
        axes.hlines(
            count,
            start,
            by,
            colors=TARGET_COLOUR,
            linestyles="dashed",
            label="Staffing target" if i == 0 else None,
        )
        axes.scatter([by], [count], marker="D", color=TARGET_COLOUR, zorder=3)
        axes.annotate(
            f"{count} by {by.isoformat()}",
            (by, count),
            textcoords="offset points",
            xytext=(4, 4),
            fontsize=layout.small,
            # on a phone, a target near the right edge is labelled to its left
            ha="right" if layout.narrow and months and by >= months[len(months) // 2] else "left",
        )
    titled(axes, title, layout)
    axes.set_ylabel("Engineers", fontsize=layout.text)
    axes.set_xlabel("Month", fontsize=layout.text)
    axes.set_ylim(0, max([*ready, *(count for _, count in targets), 1]) + 1)
    if layout.narrow:
        legend_below(figure, layout, columns=1)
    else:
        axes.legend(loc="upper left", fontsize="small")
    date_axis(axes, figure, layout)
    return figure
