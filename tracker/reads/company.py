"""The company view for L&D: team x role in bands, and hire-or-train over teams.

Which modules work (the view's third table) is `tracker.reads.module_insight`; the order and
paging of the team grid, `tracker.reads.team_grid`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from flask_sqlalchemy.pagination import Pagination

from tracker.extensions import db
from tracker.forecast import hire_gap, projected_ready_tally
from tracker.models import (
    Role,
    StaffingTarget,
    TargetRole,
    Team,
    User,
)
from tracker.query_args import Sort
from tracker.reads.catalogue import Catalogue, load_catalogue
from tracker.reads.figures import Standing, band_counts, figures
from tracker.reads.records import first_evidence
from tracker.reads.standings import role_bands, team_bands
from tracker.reads.targeted import company_standings, targeted_forecasts
from tracker.reads.team_grid import (
    engineer_counts,
    figures_current,
    grid_columns,
    grid_order,
    team_page,
)

TARGETS_SHOWN = 50


@dataclass(frozen=True)
class TargetLine:
    """A team's staffing target with the projection for its date and the answer."""

    team: str
    role: str
    count: int
    by: date
    projected: int
    gap: int


@dataclass(frozen=True)
class CompanyView:
    """Bands per (team, role), targets, and per role the sum over teams of each binding target."""

    as_of: date
    teams: list[str]
    roles: list[str]
    bands: dict[tuple[str, str], dict[str, int]]
    targets: list[TargetLine]
    totals: dict[str, TargetLine]


@dataclass(frozen=True)
class CompanyPage:
    """What the company page shows: company-wide bands, one page of teams, targets shown.

    `bands` and `engineers` (by team id) hold the page's teams only; `sort` is the order of
    the teams, one of `columns` (each sortable column with its first order). `targets` are
    the first of `target_count` targets, the largest gap first; `totals` are over every target.
    """

    as_of: date
    roles: list[str]
    company: dict[str, dict[str, int]]
    teams: Pagination
    search: str
    sort: Sort
    columns: dict[str, str]
    engineers: dict[int, int]
    bands: dict[tuple[str, str], dict[str, int]]
    targets: list[TargetLine]
    target_count: int
    totals: dict[str, TargetLine]


def _standings(
    catalogue: Catalogue, as_of: date
) -> tuple[dict[tuple[str, str], dict[str, int]], dict[tuple[str, str], dict[date | None, int]]]:
    """Return bands, and engineers per projected ready date, per (team, role): two statements,
    for any number of people."""
    engineers = (User.active.is_(True), User.role_links.any(role=Role.ENGINEER))
    people = db.session.execute(
        db.select(User.id, Team.name).join(Team, Team.id == User.team_id).where(*engineers)
    ).all()
    evidence = first_evidence(db.select(User.id).where(User.team_id.is_not(None), *engineers))
    by_team: dict[str, list[int]] = defaultdict(list)
    for pid, team in people:
        by_team[team].append(pid)
    nothing = figures(catalogue.modules, (), as_of)
    # A standing depends only on the levels now and 8 weeks before: people who share both
    # share every standing, computed once.
    known: dict[tuple[frozenset[tuple[str, int]], ...], dict[str, Standing]] = {}
    bands, forecasts = {}, {}
    for team, ids in by_team.items():
        rows: dict[str, list[Standing]] = defaultdict(list)
        for pid in ids:
            items = evidence.get(pid)
            person = figures(catalogue.modules, items, as_of) if items else nothing
            profile = (frozenset(person.levels.items()), frozenset(person.before.items()))
            if profile not in known:
                known[profile] = {k: person.standing(r) for k, r in catalogue.roles.items()}
            for key, standing in known[profile].items():
                rows[key].append(standing)
        for key in catalogue.roles:
            bands[(team, key)] = band_counts(rows[key])
            forecasts[(team, key)] = dict(Counter(r.forecast.projected_ready_on for r in rows[key]))
    return bands, forecasts


def _target_lines(forecasts: dict[tuple[str, str], dict[date | None, int]]) -> list[TargetLine]:
    """Return every live target with its projection, the largest gap first."""
    rows = db.session.execute(
        db.select(Team.name, TargetRole.key, StaffingTarget.count, StaffingTarget.by)
        .join(Team, Team.id == StaffingTarget.team_id)
        .join(TargetRole, TargetRole.id == StaffingTarget.role_id)
        .where(StaffingTarget.archived_at.is_(None), TargetRole.archived_at.is_(None))
        .order_by(StaffingTarget.by, Team.name)
    ).all()
    out = []
    for team, role, count, by in rows:
        projected = projected_ready_tally(forecasts.get((team, role), {}), by)
        out.append(TargetLine(team, role, count, by, projected, hire_gap(count, projected)))
    return sorted(out, key=lambda t: -t.gap)  # stable: then by date and team


def _totals(lines: list[TargetLine]) -> dict[str, TargetLine]:
    """Per role, sum over teams the binding target of each team (largest gap, latest, most).

    A team's targets for one role are cumulative (3 by March, 6 by June): adding them up would
    count the same people twice, so only the one that asks most of the team is summed.
    """
    binding: dict[tuple[str, str], TargetLine] = {}
    for line in lines:
        key = (line.team, line.role)
        held = binding.get(key)
        if held is None or (line.gap, line.by, line.count) > (held.gap, held.by, held.count):
            binding[key] = line
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for line in binding.values():
        total = totals[line.role]
        total[0] += line.count
        total[1] += line.projected
        total[2] += line.gap
    return {
        role: TargetLine(
            "All teams", role, c, max(t.by for t in binding.values() if t.role == role), p, g
        )
        for role, (c, p, g) in totals.items()
    }


def company_view(as_of: date, catalogue: Catalogue | None = None) -> CompanyView:
    """Return the company view as of `as_of`."""
    catalogue = catalogue or load_catalogue()
    read = company_standings if catalogue.steps_current else _standings
    bands, forecasts = read(catalogue, as_of)
    lines = _target_lines(forecasts)
    teams = sorted({team for team, _ in bands} | {line.team for line in lines})
    return CompanyView(as_of, teams, sorted(catalogue.roles), bands, lines, _totals(lines))


def hire_or_train(as_of: date, catalogue: Catalogue) -> list[TargetLine]:
    """Return every live target with its projection as of `as_of`, the largest gap first."""
    if catalogue.steps_current:
        return _target_lines(targeted_forecasts(catalogue, as_of))
    return _target_lines(_standings(catalogue, as_of)[1])


def company_page(
    as_of: date, catalogue: Catalogue, search: str = "", page: int = 1, sort: Sort | None = None
) -> CompanyPage:
    """Return the company view as the page shows it: totals, one page of teams, targets.

    Only the page's teams' bands are read; the targets need every targeted team's forecasts
    (one statement) so that the totals stay exact, and the page shows the first few. The
    teams are in the order `sort` names when the grid can sort by it, else by name.
    """
    columns = grid_columns(catalogue.roles, figures_current(catalogue, as_of))
    sort = sort if sort is not None and sort.column in columns else Sort("name")
    order = grid_order(sort, catalogue.roles)
    if catalogue.steps_current:
        lines = _target_lines(targeted_forecasts(catalogue, as_of))
        company = role_bands(catalogue, as_of)
        teams = team_page(search, page, order)
        bands = team_bands(catalogue, as_of, [t.id for t in teams.items])
    else:  # readiness computed from evidence: every team at once
        every, forecasts = _standings(catalogue, as_of)
        lines = _target_lines(forecasts)
        company = _summed(every)
        teams = team_page(search, page, order)
        names = {t.name for t in teams.items}
        bands = {pair: n for pair, n in every.items() if pair[0] in names}
    return CompanyPage(
        as_of,
        sorted(catalogue.roles),
        company,
        teams,
        search.strip(),
        sort,
        columns,
        engineer_counts([t.id for t in teams.items]),
        bands,
        lines[:TARGETS_SHOWN],
        len(lines),
        _totals(lines),
    )


def _summed(bands: dict[tuple[str, str], dict[str, int]]) -> dict[str, dict[str, int]]:
    """Return per role the sums over teams of each band."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for (_, role), counts in bands.items():
        out[role].update(counts)
    return {role: {b: n[b] for b in band_counts(())} for role, n in out.items()}
