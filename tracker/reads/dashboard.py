"""The team dashboard's figures: standings, bands, targets and the numbers under each chart.

One composition for the page, in a fixed number of statements whatever the team's size. While
`readiness_steps` holds the rules in force, no engineer's evidence is read: standings, bands
and targets come from `team_readiness`, the charts' numbers from `tracker.reads.team_charts`
(the same numbers the chart images and CSVs give; the bands of every role from
`standing_counts`). Otherwise the team's figures are computed from evidence once, and
everything is taken from them. The heatmap's numbers are computed only for a team small enough
to show one row per engineer; a larger team's page shows the heatmap's text alternative, its
image and CSV counting engineers per level.

Everything returned is plain data (picklable), so the page can keep it in the cache under a
key that changes with anything it shows; its `summary` is what the page shows above the charts,
kept apart so that a repeated view need not read back every engineer's row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.models import Team
from tracker.readiness import Band
from tracker.reads.catalogue import Catalogue
from tracker.reads.charts import (
    HEATMAP_ENGINEERS,
    ChartTable,
    bands_by_role,
    competency_heatmap,
    computed_role_bands,
    heatmap_heading,
    ready_forecast,
    trend_days,
    weekly_trend,
)
from tracker.reads.figures import weekly_bands
from tracker.reads.team import (
    EngineerRow,
    TargetRow,
    TeamReadiness,
    team_figures,
    team_readiness,
)
from tracker.reads.team_charts import role_bands, small_team_levels, weekly_role_bands


@dataclass(frozen=True)
class DashboardSummary:
    """What the dashboard shows above its charts: bands, targets and how many engineers."""

    role: str
    as_of: date
    engineers: int
    bands: dict[str, int]
    targets: list[TargetRow]


@dataclass(frozen=True)
class DashboardFigures:
    """What the dashboard shows of a team for a role as of a date, but the team itself."""

    role: str
    as_of: date
    engineers: list[EngineerRow]
    bands: dict[str, int]
    targets: list[TargetRow]
    charts: dict[str, ChartTable]  # by chart name, in TEAM_CHARTS order

    def summary(self) -> DashboardSummary:
        """Return what the page shows of these figures above the charts."""
        return DashboardSummary(
            self.role, self.as_of, len(self.engineers), self.bands, self.targets
        )

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle the engineers as columns, their bands as text: a team's thousand rows go into
        the cache in half the time they take as named tuples, and come back as fast."""
        fields = (self.role, self.as_of, _columns(self.engineers), self.bands, self.targets)
        return (_from_columns, (*fields, self.charts))


def _columns(rows: list[EngineerRow]) -> tuple[tuple[Any, ...], ...]:
    if not rows:
        return ()
    ids, emails, names, readiness, bands, projected, last = zip(*rows, strict=True)
    return ids, emails, names, readiness, tuple(b.value for b in bands), projected, last


def _from_columns(
    role: str,
    as_of: date,
    columns: tuple[tuple[Any, ...], ...],
    bands: dict[str, int],
    targets: list[TargetRow],
    charts: dict[str, ChartTable],
) -> DashboardFigures:
    rows: list[EngineerRow] = []
    if columns:
        ids, emails, names, readiness, band_values, projected, last = columns
        bands_of = map(Band, band_values)
        values = zip(ids, emails, names, readiness, bands_of, projected, last, strict=True)
        rows = list(map(EngineerRow._make, values))
    return DashboardFigures(role, as_of, rows, bands, targets, charts)


def dashboard_figures(
    team: Team, role_key: str, as_of: date, catalogue: Catalogue
) -> DashboardFigures:
    """Return the dashboard's figures for `role_key` (a live role) as of `as_of`."""
    loaded = None if catalogue.steps_current else team_figures(team.id, catalogue, as_of)
    result = team_readiness(team, role_key, as_of, catalogue, loaded)
    days = trend_days(as_of)
    per_week: Sequence[Mapping[str, int]]
    if loaded is None:
        counts = role_bands(team.id, catalogue, as_of)
        per_week = weekly_role_bands(team.id, catalogue.roles[role_key], days)
        levels = small_team_levels(team.id, catalogue, as_of, HEATMAP_ENGINEERS)
    else:
        counts = computed_role_bands(catalogue, loaded)
        per_week = weekly_bands(catalogue.modules, loaded.people, catalogue.roles[role_key], days)
        levels = {m.id: p.levels for m, p in zip(loaded.members, loaded.people, strict=True)}
    charts = {
        "bands": bands_by_role(team, catalogue, counts, as_of).table(),
        "trend": weekly_trend(team, catalogue, role_key, days, per_week).table(),
        "heatmap": _heatmap(team, catalogue, result, levels),
        "forecast": ready_forecast(result, catalogue.names.get(role_key, role_key)).table(),
    }
    return DashboardFigures(role_key, as_of, result.engineers, result.bands, result.targets, charts)


def _heatmap(
    team: Team, catalogue: Catalogue, result: TeamReadiness, levels: dict[int, dict[str, int]]
) -> ChartTable:
    """Return the heatmap's numbers for a small team; its heading alone for a larger one."""
    if len(result.engineers) > HEATMAP_ENGINEERS:
        return heatmap_heading(team, catalogue, result.role, len(result.engineers))
    people = [(r.name, levels.get(r.id, {})) for r in result.engineers]
    return competency_heatmap(team, catalogue, result.role, people).table()
