"""The numbers behind each chart, from the same figures as the pages and the API.

Each function returns a ChartData: a title, the table (headers and rows, also the CSV), and
the figure drawn from exactly those numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from matplotlib.figure import Figure

from tracker import charts
from tracker.forecast import Forecast, projected_ready_count
from tracker.models import Team
from tracker.readiness import Band
from tracker.reads.catalogue import Catalogue
from tracker.reads.figures import band_counts, weekly_bands
from tracker.reads.progress import Progress
from tracker.reads.team import TeamFigures, TeamReadiness, team_figures, team_readiness

BANDS = [b.value for b in Band]
TEAM_CHARTS = ("bands", "trend", "heatmap", "forecast")


@dataclass(frozen=True)
class ChartData:
    """A chart's title, its numbers as a table, and how to draw them."""

    title: str
    alt: str
    headers: list[str]
    rows: list[list[object]]
    draw: Callable[[], Figure]


def bands_by_role(team: Team, catalogue: Catalogue, loaded: TeamFigures, as_of: date) -> ChartData:
    """Engineers per band for every live role, as of a date."""
    keys = sorted(catalogue.roles, key=lambda k: catalogue.names.get(k, k))
    counts = [band_counts(p.standing(catalogue.roles[k]) for p in loaded.people) for k in keys]
    labels = [catalogue.names.get(k, k) for k in keys]
    title = f"{team.name}: readiness by role, {as_of.isoformat()}"
    rows = [[label, *[c[b] for b in BANDS]] for label, c in zip(labels, counts, strict=True)]
    return ChartData(
        title,
        f"Stacked bars of engineers per readiness band for each role. {title}.",
        ["role", *BANDS],
        rows,
        lambda: charts.band_bars(labels, counts, title),
    )


def weekly_trend(
    team: Team,
    catalogue: Catalogue,
    loaded: TeamFigures,
    role_key: str,
    as_of: date,
    weeks: int = 52,
) -> ChartData:
    """Engineers per band, week by week over the last year, by the as-of rule."""
    days = [as_of - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    per_week = weekly_bands(catalogue.modules, loaded.people, catalogue.roles[role_key], days)
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
        lambda: charts.band_trend(days, per_week, title),
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
    # Rule 7 counts by the projected date alone; the rows carry no velocity, none is needed.
    forecasts = [Forecast(0.0, r.projected_ready_on) for r in result.engineers]
    ready = [projected_ready_count(forecasts, end) for end in ends]
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
        lambda: charts.forecast(ends, ready, targets, title),
    )


def competency_heatmap(
    team: Team, catalogue: Catalogue, loaded: TeamFigures, role_key: str
) -> ChartData:
    """Each engineer's demonstrated level for each competency the role requires."""
    role = catalogue.roles[role_key]
    keys = [r.competency for r in role.requirements]
    required = [r.level for r in role.requirements]
    grid = [[person.levels.get(k, 0) for k in keys] for person in loaded.people]
    names = [catalogue.names.get(k, k) for k in keys]
    engineers = [m.name for m in loaded.members]
    title = f"{team.name}: {catalogue.names.get(role_key, role_key)} competencies"
    rows: list[list[object]] = [[n, *row] for n, row in zip(engineers, grid, strict=True)]
    rows.append(["required", *required])
    return ChartData(
        title,
        f"Heatmap of each engineer's demonstrated level against the "
        f"required level for each competency. {title}.",
        ["engineer", *keys],
        rows,
        lambda: charts.heatmap(engineers, names, grid, required, title),
    )


def team_chart(
    name: str,
    team: Team,
    role_key: str,
    as_of: date,
    catalogue: Catalogue,
    loaded: TeamFigures | None = None,
) -> ChartData:
    """Return the numbers of one team chart (`name` in TEAM_CHARTS; `role_key` a live role)."""
    loaded = loaded or team_figures(team.id, catalogue, as_of)
    if name == "bands":
        return bands_by_role(team, catalogue, loaded, as_of)
    if name == "trend":
        return weekly_trend(team, catalogue, loaded, role_key, as_of)
    if name == "heatmap":
        return competency_heatmap(team, catalogue, loaded, role_key)
    result = team_readiness(team, role_key, as_of, catalogue, loaded)
    return ready_forecast(result, catalogue.names.get(role_key, role_key))


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
        lambda: charts.levels(names, have, need, claim, title),
    )
