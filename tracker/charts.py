"""Charts as bytes: matplotlib's object API (never pyplot), plain data in, PNG or SVG out."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping, Sequence
from datetime import date

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle

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


def _figure(width: float = 8, height: float = 4) -> Figure:
    """A figure laid out so that titles, tick labels and legends stay on the picture."""
    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _wrapped(label: str, width: int = 24) -> str:
    """A tick label broken over lines, so a long competency name is never cut off."""
    return "\n".join(textwrap.wrap(label, width)) or label


def render(figure: Figure, fmt: str) -> bytes:
    """Return the figure as PNG or SVG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    return buffer.getvalue()


def band_bars(labels: Sequence[str], counts: Sequence[dict[str, int]], title: str) -> Figure:
    """Stacked bars: engineers per band for each role."""
    figure = _figure()
    axes = figure.add_subplot()
    bottom = [0] * len(labels)
    names = [_wrapped(label, 16) for label in labels]
    for band, colour in BAND_COLOURS.items():
        values = [c.get(band, 0) for c in counts]
        axes.bar(names, values, bottom=bottom, color=colour, label=BAND_LABELS[band])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_title(title)
    axes.set_ylabel("Engineers")
    axes.set_xlabel("Target role")
    figure.legend(loc="outside right upper", fontsize="small", frameon=False)
    return figure


def band_trend(weeks: Sequence[date], counts: Sequence[Mapping[str, int]], title: str) -> Figure:
    """Stacked areas: engineers per band, week by week."""
    figure = _figure()
    axes = figure.add_subplot()
    series = [[c.get(band, 0) for c in counts] for band in BAND_COLOURS]
    axes.stackplot(
        list(weeks), *series, colors=list(BAND_COLOURS.values()), labels=list(BAND_LABELS.values())
    )
    axes.set_title(title)
    axes.set_ylabel("Engineers")
    axes.set_xlabel("Week")
    figure.legend(loc="outside right upper", fontsize="small", frameon=False)
    figure.autofmt_xdate()
    return figure


TARGET_COLOUR = "#A63D00"  # the darker vermilion text uses too: 6.4:1 on white


def forecast(
    months: Sequence[date], ready: Sequence[int], targets: Sequence[tuple[date, int]], title: str
) -> Figure:
    """Engineers ready now or projected ready by each month, against the staffing targets."""
    figure = _figure()
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
            fontsize="small",
        )
    axes.set_title(title)
    axes.set_ylabel("Engineers")
    axes.set_xlabel("Month")
    axes.set_ylim(0, max([*ready, *(count for _, count in targets), 1]) + 1)
    axes.legend(loc="upper left", fontsize="small")
    figure.autofmt_xdate()
    return figure


def levels(
    names: Sequence[str],
    demonstrated: Sequence[int],
    required: Sequence[int],
    claimed: Sequence[int],
    title: str,
) -> Figure:
    """Grouped horizontal bars per competency: demonstrated, required and claimed levels."""
    figure = _figure(8, max(3.0, 0.55 * len(names) + 2))
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
    axes.set_yticks(list(rows), [_wrapped(name) for name in names])
    axes.invert_yaxis()
    axes.set_xlim(0, 4)
    axes.set_xticks([0, 1, 2, 3, 4])
    axes.set_xlabel("Level (1 Aware, 2 Working, 3 Practitioner, 4 Expert)")
    axes.set_title(title)
    figure.legend(loc="outside lower center", ncols=3, fontsize="small", frameon=False)
    return figure


LEVEL_NAMES = ("none", "Aware", "Working", "Practitioner", "Expert")  # levels 0-4, DOMAIN.md


def _share_scale(figure: Figure, image: AxesImage, axes: Axes, label: str) -> None:
    """Add the colour scale of a grid of shares (0 to 1) beside it: none, half, all."""
    scale = figure.colorbar(image, ax=axes, fraction=0.04, pad=0.02)
    scale.set_label(label)
    scale.set_ticks([0, 0.5, 1], labels=["none", "half", "all"])


def heatmap(
    engineers: Sequence[str],
    competencies: Sequence[str],
    grid: Sequence[Sequence[int]],
    required: Sequence[int],
    title: str,
) -> Figure:
    """Engineers x competencies: each cell the demonstrated level, shaded by share of required."""
    figure = _figure(9, max(3.0, 0.35 * len(engineers) + 3))
    axes = figure.add_subplot()
    shares = [
        [min(level / need, 1.0) for level, need in zip(row, required, strict=True)] for row in grid
    ] or [[0.0] * len(competencies)]
    image = axes.imshow(shares, cmap="cividis", vmin=0, vmax=1, aspect="auto")
    _share_scale(figure, image, axes, "Share of the required level")
    for y, row in enumerate(grid):
        for x, level in enumerate(row):
            axes.text(
                x,
                y,
                str(level),
                ha="center",
                va="center",
                fontsize="small",
                color="white" if shares[y][x] < 0.6 else "black",
            )
    labels = [
        f"{_wrapped(c, 14)}\n(needs {r})" for c, r in zip(competencies, required, strict=True)
    ]
    axes.set_xticks(range(len(competencies)), labels, fontsize="small")
    axes.set_yticks(range(len(engineers)), list(engineers), fontsize="small")
    names = " · ".join(f"{i} {name}" for i, name in enumerate(LEVEL_NAMES))
    axes.set_xlabel(f"Demonstrated level: {names}\n(darker: further from what is required)")
    axes.set_ylabel("Engineer")
    axes.set_title(title)
    return figure


def level_counts(
    competencies: Sequence[str],
    counts: Sequence[Sequence[int]],
    required: Sequence[int],
    title: str,
) -> Figure:
    """Competencies x levels 0-4: how many engineers are at each level, the required one outlined.

    For a team too large for a row per engineer. Each cell holds a count, shaded by its share of
    the team; cells left of the outline are engineers short of what the role requires.
    """
    figure = _figure(9, max(3.0, 0.6 * len(competencies) + 2.2))
    axes = figure.add_subplot()
    team = max((sum(row) for row in counts), default=0) or 1
    shares = [[n / team for n in row] for row in counts] or [[0.0] * len(LEVEL_NAMES)]
    image = axes.imshow(shares, cmap="cividis", vmin=0, vmax=1, aspect="auto")
    _share_scale(figure, image, axes, "Share of the team's engineers")
    for y, row in enumerate(counts):
        for x, n in enumerate(row):
            colour = "white" if shares[y][x] < 0.6 else "black"
            axes.text(x, y, str(n), ha="center", va="center", fontsize="small", color=colour)
    for y, need in enumerate(required):
        axes.add_patch(
            Rectangle((need - 0.5, y - 0.5), 1, 1, fill=False, edgecolor="#D55E00", linewidth=2.5)
        )
    axes.set_xticks(range(len(LEVEL_NAMES)), [f"{i} {n}" for i, n in enumerate(LEVEL_NAMES)])
    labels = [f"{_wrapped(c)}\n(needs {r})" for c, r in zip(competencies, required, strict=True)]
    axes.set_yticks(range(len(competencies)), labels, fontsize="small")
    axes.set_xlabel("Demonstrated level (outlined: the level the role requires)")
    axes.set_ylabel("Competency")
    axes.set_title(title)
    return figure
