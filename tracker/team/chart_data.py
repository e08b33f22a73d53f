"""The numbers behind each team chart, from one load of the team's evidence.

Each function returns a ChartData: a title, the table (headers and rows, also the CSV), and
the figure drawn from exactly those numbers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from matplotlib.figure import Figure
from sqlalchemy import func

from tracker import charts
from tracker.extensions import db
from tracker.models import Evidence, Role, Team, User
from tracker.queries import Catalogue, load_people
from tracker.readiness import Band, band, demonstrated_dates, levels_as_of, readiness_series
from tracker.team.readiness import TeamReadiness, team_engineers

BANDS = [b.value for b in Band]


@dataclass(frozen=True)
class ChartData:
    """A chart's title, its numbers as a table, and how to draw them."""

    title: str
    alt: str
    headers: list[str]
    rows: list[list[object]]
    draw: Callable[[], Figure]


def _demonstrated(team: Team, catalogue: Catalogue) -> list[dict[str, date]]:
    people = team_engineers(team.id)
    records = load_people([p.id for p in people])
    return [demonstrated_dates(catalogue.modules, records[p.id].evidence) for p in people]


def bands_by_role(team: Team, catalogue: Catalogue, as_of: date) -> ChartData:
    """Engineers per band for every live role, as of a date."""
    everyone = _demonstrated(team, catalogue)
    keys = sorted(catalogue.roles, key=lambda k: catalogue.names.get(k, k))
    counts = []
    for key in keys:
        role = catalogue.roles[key]
        counts.append(
            Counter(
                band(readiness_series(catalogue.modules, d, role, [as_of])[0]).value
                for d in everyone
            )
        )
    labels = [catalogue.names.get(k, k) for k in keys]
    title = f"{team.name}: readiness by role, {as_of.isoformat()}"
    rows = [[label, *[c.get(b, 0) for b in BANDS]] for label, c in zip(labels, counts, strict=True)]
    return ChartData(
        title,
        f"Stacked bars of engineers per readiness band for each role. {title}.",
        ["role", *BANDS],
        rows,
        lambda: charts.band_bars(labels, counts, title),
    )


def weekly_trend(
    team: Team, catalogue: Catalogue, role_key: str, as_of: date, weeks: int = 52
) -> ChartData:
    """Engineers per band, week by week over the last year, by the as-of rule."""
    everyone = _demonstrated(team, catalogue)
    role = catalogue.roles[role_key]
    days = [as_of - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    per_week = [Counter() for _ in days]  # type: list[Counter[str]]
    for dates in everyone:
        for i, value in enumerate(readiness_series(catalogue.modules, dates, role, days)):
            per_week[i][band(value).value] += 1
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


def ready_forecast(result: TeamReadiness, name: str, months: int = 12) -> ChartData:
    """Engineers ready now or projected ready by the end of each coming month, vs targets."""
    ends = []
    first = result.as_of.replace(day=1)
    for i in range(1, months + 1):
        year, month = first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1
        ends.append(date(year, month, 1) - timedelta(days=1))
    projected = [r.projected_ready_on for r in result.engineers]
    ready = [sum(1 for p in projected if p is not None and p <= end) for end in ends]
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


def competency_heatmap(team: Team, catalogue: Catalogue, role_key: str, as_of: date) -> ChartData:
    """Each engineer's demonstrated level for each competency the role requires."""
    people = team_engineers(team.id)
    records = load_people([p.id for p in people])
    role = catalogue.roles[role_key]
    keys = [r.competency for r in role.requirements]
    required = [r.level for r in role.requirements]
    grid = []
    for person in people:
        dates = demonstrated_dates(catalogue.modules, records[person.id].evidence)
        have = levels_as_of(catalogue.modules, dates, as_of)
        grid.append([have.get(k, 0) for k in keys])
    names = [catalogue.names.get(k, k) for k in keys]
    engineers = [p.name for p in people]
    title = f"{team.name}: {catalogue.names.get(role_key, role_key)} competencies"
    rows = [[name, *row] for name, row in zip(engineers, grid, strict=True)]
    rows.append(["required", *required])
    return ChartData(
        title,
        f"Heatmap of each engineer's demonstrated level against the "
        f"required level for each competency. {title}.",
        ["engineer", *keys],
        rows,
        lambda: charts.heatmap(engineers, names, grid, required, title),
    )


def team_data_version(team: Team, catalogue: Catalogue, role_key: str) -> tuple[object, ...]:
    """Return what a team chart depends on, cheaply: who is on the team (ids and names), a
    summary of their evidence (a new, decided or withdrawn record changes it), the catalogue.

    Two statements, whatever the team's size; the catalogue is already loaded.
    """
    members = db.session.execute(
        db.select(User.id, User.name)
        .where(
            User.team_id == team.id, User.active.is_(True), User.role_links.any(role=Role.ENGINEER)
        )
        .order_by(User.id)
    ).all()
    evidence = db.session.execute(
        db.select(
            Evidence.status,
            func.count(Evidence.id),
            func.max(Evidence.id),
            func.max(Evidence.decided_at),
        )
        .join(User, User.id == Evidence.user_id)
        .where(User.team_id == team.id)
        .group_by(Evidence.status)
        .order_by(Evidence.status)
    ).all()
    role = catalogue.roles.get(role_key)
    modules = sorted((k, m) for k, m in catalogue.modules.items())
    return (
        team.name,
        tuple(tuple(member) for member in members),
        tuple(tuple(row) for row in evidence),
        role,
        tuple(sorted(catalogue.roles)),
        tuple(modules),
        tuple(sorted(catalogue.names.items())),
    )
