"""How a chart is laid out for the width it is shown at: a desktop's column or a phone's.

A narrow layout is taller than wide, with legends and notes under the plot and text large
relative to the picture. Plain matplotlib (no pyplot, no Flask, no database), like tracker.charts.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.dates import AutoDateLocator, DateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator


@dataclass(frozen=True)
class Layout:
    """How a chart is laid out for the width it is shown at.

    Text sizes are points, or matplotlib's names (relative to 10 points). NARROW is 3.6 inches
    wide with no text under 10 points: shown 310 CSS px wide (a 360 px phone, less the page's
    margins), its smallest text is about 12 px high.
    """

    name: str
    width: float  # inches
    height: float  # inches, for a chart whose height does not grow with its rows
    dpi: int  # NARROW at twice the pixels, sharp on a phone's dense screen
    title: float | str
    text: float | str  # axis labels and ticks
    small: float | str  # legends, cell values, annotations

    @property
    def narrow(self) -> bool:
        """Return whether the layout is a phone's."""
        return self is NARROW


WIDE = Layout("wide", 8, 4, 100, "large", "medium", "small")
NARROW = Layout("narrow", 3.6, 4.6, 200, 12, 10.5, 10)
LAYOUTS = {layout.name: layout for layout in (WIDE, NARROW)}
NARROW_TITLE = 34  # characters per line of a narrow chart's title
NARROW_NOTE = 44  # and of a note under it


def new_figure(layout: Layout, width: float | None = None, height: float | None = None) -> Figure:
    """A figure laid out so that titles, tick labels and legends stay on the picture."""
    return Figure(
        figsize=(width or layout.width, height or layout.height),
        dpi=layout.dpi,
        layout="constrained",
    )


def wrapped(label: str, width: int = 24) -> str:
    """A tick label broken over lines, so a long competency name is never cut off."""
    return "\n".join(textwrap.wrap(label, width)) or label


def row_height(labels: Sequence[str], least: float) -> float:
    """Return the height in inches of a narrow row: `least`, or what its longest label needs."""
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    return max(least, 0.18 * lines + 0.1)


def titled(axes: Axes, title: str, layout: Layout) -> None:
    """Give the chart its title; on a phone, wrapped over the whole picture, ticks resized."""
    if not layout.narrow:
        axes.set_title(title)
        return
    axes.figure.suptitle(wrapped(title, NARROW_TITLE), fontsize=layout.title)
    axes.tick_params(labelsize=layout.text)


def note(figure: Figure, text: str, layout: Layout) -> None:
    """Write a note under a narrow chart, across the picture: a line each, wrapped and indented."""
    lines = [
        textwrap.fill(line, NARROW_NOTE, subsequent_indent="    ") for line in text.split("\n")
    ]
    figure.supxlabel(
        "\n".join(lines),
        x=0.02,
        ha="left",
        multialignment="left",
        fontsize=layout.small,
    )


def legend_below(figure: Figure, layout: Layout, columns: int = 2) -> None:
    """Put the legend under the plot, where a narrow picture has room for it."""
    figure.legend(loc="outside lower center", ncols=columns, fontsize=layout.small, frameon=False)


def date_axis(axes: Axes, figure: Figure, layout: Layout) -> None:
    """Label the date axis: slanted dates on a desktop, a few short ones on a phone."""
    if not layout.narrow:
        figure.autofmt_xdate()
        return
    axes.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=5))
    axes.xaxis.set_major_formatter(DateFormatter("%b\n%Y"))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
