"""Charts of competency levels: one engineer's against a role, and a team's as a grid.

Drawn as tracker.charts draws: matplotlib's object API, plain data in, a Figure out, for a
layout (tracker.chart_layout).
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle

from tracker.chart_layout import (
    WIDE,
    Layout,
    new_figure,
    note,
    row_height,
    titled,
    wrapped,
)
from tracker.charts import LEVEL_COLOURS

LEVEL_AXIS = "Level (1 Aware, 2 Working, 3 Practitioner, 4 Expert)"
LEVEL_AXIS_NARROW = "Level (1 Aware, 2 Working,\n3 Practitioner, 4 Expert)"


def levels(
    names: Sequence[str],
    demonstrated: Sequence[int],
    required: Sequence[int],
    claimed: Sequence[int],
    title: str,
    layout: Layout = WIDE,
) -> Figure:
    """Grouped horizontal bars per competency: demonstrated, required and claimed levels."""
    labels = [wrapped(name, 16 if layout.narrow else 24) for name in names]
    if layout.narrow:
        figure = new_figure(layout, height=max(3.6, row_height(labels, 0.62) * len(names) + 2.6))
    else:
        figure = new_figure(layout, width=8, height=max(3.0, 0.55 * len(names) + 2))
    axes = figure.add_subplot()
    rows = range(len(names))
    height = 0.27
    for offset, values, label, colour in (
        (-height, demonstrated, "Demonstrated", LEVEL_COLOURS[0]),
        (0, required, "Required", LEVEL_COLOURS[1]),
        (height, claimed, "Claimed", LEVEL_COLOURS[2]),
    ):
        axes.barh(
            [r + offset for r in rows], list(values), height=height, color=colour, label=label
        )
    axes.set_yticks(list(rows), labels)
    axes.invert_yaxis()
    axes.set_xlim(0, 4)
    axes.set_xticks([0, 1, 2, 3, 4])
    axes.set_xlabel(LEVEL_AXIS_NARROW if layout.narrow else LEVEL_AXIS, fontsize=layout.text)
    titled(axes, title, layout)
    figure.legend(
        loc="outside lower center",
        ncols=3,
        fontsize=layout.small,
        frameon=False,
        **({"handlelength": 1.2, "columnspacing": 1.0} if layout.narrow else {}),
    )
    return figure


LEVEL_NAMES = ("none", "Aware", "Working", "Practitioner", "Expert")  # levels 0-4, DOMAIN.md


def _share_scale(figure: Figure, image: AxesImage, axes: Axes, label: str, layout: Layout) -> None:
    """Add the colour scale of a grid of shares (0 to 1): none, half, all.

    Beside the grid on a desktop; under it on a phone, where the width is the grid's.
    """
    if layout.narrow:
        scale = figure.colorbar(image, ax=axes, location="bottom", fraction=0.04, aspect=25)
        scale.ax.tick_params(labelsize=layout.small)
        label = wrapped(label, 18)
    else:
        scale = figure.colorbar(image, ax=axes, fraction=0.04, pad=0.02)
    scale.set_label(label, fontsize=layout.text)
    scale.set_ticks([0, 0.5, 1], labels=["none", "half", "all"])


def _cells(
    axes: Axes, values: Sequence[Sequence[int]], shares: Sequence[Sequence[float]], layout: Layout
) -> None:
    """Write each cell's number, white on the dark shades."""
    for y, row in enumerate(values):
        for x, value in enumerate(row):
            colour = "white" if shares[y][x] < 0.6 else "black"
            axes.text(
                x, y, str(value), ha="center", va="center", fontsize=layout.small, color=colour
            )


def heatmap(
    engineers: Sequence[str],
    competencies: Sequence[str],
    grid: Sequence[Sequence[int]],
    required: Sequence[int],
    title: str,
    layout: Layout = WIDE,
) -> Figure:
    """Engineers x competencies: each cell the demonstrated level, shaded by share of required."""
    people = [wrapped(name, 16) for name in engineers] if layout.narrow else list(engineers)
    if layout.narrow:
        figure = new_figure(
            layout, height=max(5.0, row_height(people, 0.45) * len(engineers) + 4.4)
        )
    else:
        figure = new_figure(layout, 9, max(3.0, 0.35 * len(engineers) + 3))
    axes = figure.add_subplot()
    shares = [
        [min(level / need, 1.0) for level, need in zip(row, required, strict=True)] for row in grid
    ] or [[0.0] * len(competencies)]
    image = axes.imshow(shares, cmap="cividis", vmin=0, vmax=1, aspect="auto")
    _share_scale(figure, image, axes, "Share of the required level", layout)
    _cells(axes, grid, shares, layout)
    if layout.narrow:
        # no room for the names over the columns: a letter each, and a key under the grid
        letters = [chr(ord("A") + i) for i in range(len(competencies))]
        axes.xaxis.tick_top()
        axes.set_xticks(range(len(letters)), letters, fontsize=layout.text)
        key = [
            f"{x}  {c} (needs {r})" for x, c, r in zip(letters, competencies, required, strict=True)
        ]
        levels = ", ".join(f"{i} {name}" for i, name in enumerate(LEVEL_NAMES))
        note(figure, "\n".join([*key, f"Cells: demonstrated level, {levels}"]), layout)
    else:
        names = " · ".join(f"{i} {name}" for i, name in enumerate(LEVEL_NAMES))
        labels = [
            f"{wrapped(c, 14)}\n(needs {r})" for c, r in zip(competencies, required, strict=True)
        ]
        axes.set_xticks(range(len(competencies)), labels, fontsize="small")
        axes.set_xlabel(f"Demonstrated level: {names}\n(darker: further from what is required)")
        axes.set_ylabel("Engineer")
    axes.set_yticks(range(len(engineers)), people, fontsize=layout.small)
    titled(axes, title, layout)
    return figure


def level_counts(
    competencies: Sequence[str],
    counts: Sequence[Sequence[int]],
    required: Sequence[int],
    title: str,
    layout: Layout = WIDE,
) -> Figure:
    """Competencies x levels 0-4: how many engineers are at each level, the required one outlined.

    For a team too large for a row per engineer. Each cell holds a count, shaded by its share of
    the team; cells left of the outline are engineers short of what the role requires.
    """
    wrap = 16 if layout.narrow else 24
    labels = [
        f"{wrapped(c, wrap)}\n(needs {r})" for c, r in zip(competencies, required, strict=True)
    ]
    if layout.narrow:
        figure = new_figure(
            layout, height=max(4.6, row_height(labels, 0.7) * len(competencies) + 3.4)
        )
    else:
        figure = new_figure(layout, 9, max(3.0, 0.6 * len(competencies) + 2.2))
    axes = figure.add_subplot()
    team = max((sum(row) for row in counts), default=0) or 1
    shares = [[n / team for n in row] for row in counts] or [[0.0] * len(LEVEL_NAMES)]
    image = axes.imshow(shares, cmap="cividis", vmin=0, vmax=1, aspect="auto")
    _share_scale(figure, image, axes, "Share of the team's engineers", layout)
    _cells(axes, counts, shares, layout)
    for y, need in enumerate(required):
        axes.add_patch(
            Rectangle((need - 0.5, y - 0.5), 1, 1, fill=False, edgecolor="#D55E00", linewidth=2.5)
        )
    levels = [f"{i} {n}" for i, n in enumerate(LEVEL_NAMES)]
    axes.set_yticks(range(len(competencies)), labels, fontsize=layout.small)
    if layout.narrow:
        axes.xaxis.tick_top()
        axes.set_xticks(range(len(levels)), levels, rotation=90)
        note(
            figure,
            "Cells: engineers at each level.\nOutlined: the level the role requires.",
            layout,
        )
    else:
        axes.set_xticks(range(len(LEVEL_NAMES)), levels)
        axes.set_xlabel("Demonstrated level (outlined: the level the role requires)")
        axes.set_ylabel("Competency")
    titled(axes, title, layout)
    return figure
