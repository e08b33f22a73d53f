"""The numbers behind each chart, from the same figures as the pages and the API.

Each function returns a ChartData: a title, the table (headers and rows, also the CSV), and
the figure drawn from exactly those numbers. A team's bands, trend and forecast are read from
`readiness_steps` (`tracker.reads.team_charts`, `team_readiness`) while it holds the rules in
force, else computed from the team's evidence: the same numbers either way. The heatmap shows
levels, which only evidence gives.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from matplotlib.figure import Figure

from tracker import charts, level_charts
from tracker.chart_layout import WIDE, Layout
from tracker.forecast import projected_ready_counts
from tracker.models import Team
from tracker.readiness import Band
from tracker.reads.catalogue import Catalogue
from tracker.reads.figures import band_counts, weekly_bands
from tracker.reads.progress import Progress
from tracker.reads.team import TeamFigures, TeamReadiness, team_figures, team_readiness
from tracker.reads.team_charts import role_bands, weekly_role_bands

BANDS = [b.value for b in Band]
TEAM_CHARTS = ("bands", "trend", "heatmap", "forecast")
TREND_WEEKS = 52
HEATMAP_ENGINEERS = 30  # above this many, a heatmap counts engineers per level, not one row each
LEVELS = ["0_none", "1_aware", "2_working", "3_practitioner", "4_expert"]  # DOMAIN.md


@dataclass(frozen=True)
class ChartTable:
    """What a page shows of a chart: title, text alternative and numbers; picklable.

    `rows` is None when the page does not compute them (the chart's CSV has them).
    """

    title: str
    alt: str
    headers: list[str]
    rows: list[list[object]] | None


class Draw(Protocol):
    """Draws a chart's numbers for a layout: a desktop's (the default) or a phone's."""

    def __call__(self, layout: Layout = WIDE) -> Figure: ...


@dataclass(frozen=True)
class ChartData:
    """A chart's title, its numbers as a table, and how to draw them."""

    title: str
    alt: str
    headers: list[str]
    rows: list[list[object]]
    draw: Draw

    def table(self) -> ChartTable:
        """Return the chart without its drawing, to show or cache beside a page."""
        return ChartTable(self.title, self.alt, self.headers, self.rows)


def bands_by_role(
    team: Team, catalogue: Catalogue, counts: Mapping[str, Mapping[str, int]], as_of: date
) -> ChartData:
    """Engineers per band for every live role (`counts` by role key), as of a date."""
    keys = sorted(catalogue.roles, key=lambda k: catalogue.names.get(k, k))
    per_role = [dict(counts[k]) for k in keys]
    labels = [catalogue.names.get(k, k) for k in keys]
    title = f"{team.name}: readiness by role, {as_of.isoformat()}"
    rows = [[label, *[c[b] for b in BANDS]] for label, c in zip(labels, per_role, strict=True)]
    return ChartData(
        title,
        f"Stacked bars of engineers per readiness band for each role. {title}.",
        ["role", *BANDS],
        rows,
        lambda layout=WIDE: charts.band_bars(labels, per_role, title, layout),
    )


def computed_role_bands(catalogue: Catalogue, loaded: TeamFigures) -> dict[str, dict[str, int]]:
    """Return engineers per band for every live role, computed from the team's evidence."""
    return {
        key: band_counts(p.standing(role) for p in loaded.people)
        for key, role in catalogue.roles.items()
    }


def trend_days(as_of: date, weeks: int = TREND_WEEKS) -> list[date]:
    """Return the days of the weekly trend: one a week, the last `as_of`."""
    return [as_of - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def weekly_trend(
    team: Team,
    catalogue: Catalogue,
    role_key: str,
    days: Sequence[date],
    per_week: Sequence[Mapping[str, int]],
) -> ChartData:
    """Engineers per band on each of `days` (`per_week`), by the as-of rule."""
    name = catalogue.names.get(role_key, role_key)
    title = f"{team.name}: {name}, week by week"
    rows = [
        [d.isoformat(), *[c.get(b, 0) for b in BANDS]] for d, c in zip(days, per_week, strict=True)
    ]
    return ChartData(
        title,
        f"Stacked areas of engineers per band each week. {title}.",
        ["week", *BANDS],
        rows,
        lambda layout=WIDE: charts.band_trend(days, per_week, title, layout),
    )


def month_ends(start: date, months: int) -> list[date]:
    """Return the last day of each of the `months` months after `start`'s month."""
    first = start.replace(day=1)
    ends = []
    for i in range(1, months + 1):
        year, month = first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1
        ends.append(date(year, month, 1) - timedelta(days=1))
    return ends


def ready_forecast(result: TeamReadiness, name: str, months: int = 12) -> ChartData:
    """Engineers ready now or projected ready by the end of each coming month, vs targets."""
    ends = month_ends(result.as_of, months)
    ready = projected_ready_counts((r.projected_ready_on for r in result.engineers), ends)
    targets = [(t.by, t.count) for t in result.targets]
    title = f"{result.team.name}: {name}, projected ready"
    rows: list[list[object]] = [
        [end.isoformat(), n, ""] for end, n in zip(ends, ready, strict=True)
    ]
    rows += [[by.isoformat(), "", count] for by, count in targets]
    return ChartData(
        title,
        f"Engineers projected ready by month against staffing targets. {title}.",
        ["date", "projected_ready", "target"],
        rows,
        lambda layout=WIDE: charts.forecast(ends, ready, targets, title, layout),
    )


def heatmap_heading(team: Team, catalogue: Catalogue, role_key: str, engineers: int) -> ChartTable:
    """Return the heatmap's title and text alternative alone, for a team of `engineers`."""
    title = f"{team.name}: {catalogue.names.get(role_key, role_key)} competencies"
    if engineers > HEATMAP_ENGINEERS:
        alt = (
            f"Heatmap of how many engineers are at each level, from 0 none to 4 Expert, for "
            f"each competency the role requires, the required level outlined. {title}."
        )
    else:
        alt = (
            f"Heatmap of each engineer's demonstrated level against the "
            f"required level for each competency. {title}."
        )
    return ChartTable(title, alt, [], None)


def competency_heatmap(
    team: Team,
    catalogue: Catalogue,
    role_key: str,
    people: Sequence[tuple[str, Mapping[str, int]]],
) -> ChartData:
    """The demonstrated level of each of `people` (name, levels) for each required competency.

    Up to HEATMAP_ENGINEERS engineers, one row each; for a larger team, per competency, how
    many engineers are at each level.
    """
    role = catalogue.roles[role_key]
    keys = [r.competency for r in role.requirements]
    required = [r.level for r in role.requirements]
    grid = [[levels.get(k, 0) for k in keys] for _, levels in people]
    names = [catalogue.names.get(k, k) for k in keys]
    heading = heatmap_heading(team, catalogue, role_key, len(people))
    title = heading.title
    if len(people) > HEATMAP_ENGINEERS:
        columns = [Counter(row[i] for row in grid) for i in range(len(keys))]
        counts = [[column[level] for level in range(len(LEVELS))] for column in columns]
        rows: list[list[object]] = [
            [name, need, *row] for name, need, row in zip(names, required, counts, strict=True)
        ]
        return ChartData(
            title,
            heading.alt,
            ["competency", "required", *LEVELS],
            rows,
            lambda layout=WIDE: level_charts.level_counts(names, counts, required, title, layout),
        )
    engineers = [name for name, _ in people]
    rows = [[n, *row] for n, row in zip(engineers, grid, strict=True)]
    rows.append(["required", *required])
    return ChartData(
        title,
        heading.alt,
        ["engineer", *keys],
        rows,
        lambda layout=WIDE: level_charts.heatmap(engineers, names, grid, required, title, layout),
    )


def team_chart(
    name: str,
    team: Team,
    role_key: str,
    as_of: date,
    catalogue: Catalogue,
    loaded: TeamFigures | None = None,
) -> ChartData:
    """Return the numbers of one team chart (`name` in TEAM_CHARTS; `role_key` a live role).

    Bands, trend and forecast are read from `readiness_steps` while it holds the rules in
    force, unless the caller `loaded` the team's figures; otherwise from the team's evidence.
    The heatmap always comes from evidence.
    """
    steps = loaded is None and catalogue.steps_current
    if name == "forecast":
        result = team_readiness(team, role_key, as_of, catalogue, loaded)
        return ready_forecast(result, catalogue.names.get(role_key, role_key))
    if name == "bands" and steps:
        return bands_by_role(team, catalogue, role_bands(team.id, catalogue, as_of), as_of)
    days = trend_days(as_of)
    per_week: Sequence[Mapping[str, int]]
    if name == "trend" and steps:
        per_week = weekly_role_bands(team.id, catalogue.roles[role_key], days)
        return weekly_trend(team, catalogue, role_key, days, per_week)
    loaded = loaded or team_figures(team.id, catalogue, as_of)
    if name == "bands":
        return bands_by_role(team, catalogue, computed_role_bands(catalogue, loaded), as_of)
    if name == "trend":
        role = catalogue.roles[role_key]
        per_week = weekly_bands(catalogue.modules, loaded.people, role, days)
        return weekly_trend(team, catalogue, role_key, days, per_week)
    people = [(m.name, p.levels) for m, p in zip(loaded.members, loaded.people, strict=True)]
    return competency_heatmap(team, catalogue, role_key, people)


def engineer_levels(progress: Progress, catalogue: Catalogue, role_key: str, who: str) -> ChartData:
    """One engineer's demonstrated, required and claimed level per competency of a role."""
    role = catalogue.roles[role_key]
    keys = [r.competency for r in role.requirements]
    have = [progress.levels.get(k, 0) for k in keys]
    need = [r.level for r in role.requirements]
    claim = [progress.claims.get(k, 0) for k in keys]
    rows: list[list[object]] = [list(row) for row in zip(keys, have, need, claim, strict=True)]
    title = f"{who}: {catalogue.names.get(role_key, role_key)}, {progress.as_of.isoformat()}"
    names = [catalogue.names.get(k, k) for k in keys]
    return ChartData(
        title,
        f"Demonstrated, required and claimed level for each competency. {title}.",
        ["competency", "demonstrated", "required", "claimed"],
        rows,
        lambda layout=WIDE: level_charts.levels(names, have, need, claim, title, layout),
    )
