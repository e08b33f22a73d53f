"""The company view's team grid: a page of teams, searched by name and ordered by the database.

The grid shows, per team, its engineers and, per live role, how many are ready and nearly
ready. Each of those columns is ordered by the database before paging: engineers counted from
`users`, ready and nearly ready from `standing_counts` (a few rows per team). The latter are
the figures the grid shows only while they are current (`Catalogue.steps_current`, and no
engineer's current step begins after the day shown); otherwise the role columns do not sort.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from functools import cache
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, ScalarSelect, false, func, or_, select

from tracker.extensions import db
from tracker.models import Role, StaffingTarget, StandingCount, TargetRole, Team, User
from tracker.operations.standing_counts import NO_STEPS
from tracker.query_args import Orderable, Sort
from tracker.readiness import Band, RoleProfile, band, readiness
from tracker.reads.catalogue import Catalogue

TEAMS_PER_PAGE = 50
ROLE_COLUMN = "role:"  # a role's column is "role:" and its key: no role key can shadow another
FIRST_ORDER = {"name": "ascending", "engineers": "descending"}  # a role's: most ready first


def figures_current(catalogue: Catalogue, as_of: date) -> bool:
    """Return True when `standing_counts` holds the readiness the grid shows as of `as_of`."""
    if not catalogue.steps_current:
        return False
    latest = db.session.scalar(db.select(func.max(StandingCount.latest_on)))
    return latest is None or latest <= as_of


def grid_columns(roles: Collection[str], by_role: bool) -> dict[str, str]:
    """Return each column the grid sorts by, with its first order ("ascending", …).

    With `by_role` (the figures are current: `figures_current`), each role's column too.
    """
    role_columns = {f"{ROLE_COLUMN}{key}": "descending" for key in sorted(roles) if by_role}
    return {**FIRST_ORDER, **role_columns}


def _engineers() -> tuple[ColumnElement[bool], ...]:
    """Return the conditions on `User` of an active engineer."""
    return (User.active.is_(True), User.role_links.any(role=Role.ENGINEER))


@cache
def _tenths_in(wanted: Band) -> tuple[int, int] | None:
    """Return the lowest and highest readiness in tenths in band `wanted` (rule 4)."""
    inside = [t for t in range(1001) if band(t / 10) is wanted]  # bands rise with readiness
    return (inside[0], inside[-1]) if inside else None


def _counted(role: RoleProfile, wanted: Band) -> ScalarSelect[Any]:
    """Return how many of the team's engineers stand in band `wanted` for `role` (a subquery)."""
    bounds = _tenths_in(wanted)
    inside: ColumnElement[bool] = StandingCount.tenths.between(*bounds) if bounds else false()
    if band(readiness({}, role)) is wanted:  # engineers without counting evidence
        inside = or_(inside, StandingCount.tenths == NO_STEPS)
    return (
        select(func.coalesce(func.sum(StandingCount.engineers), 0))
        .join(TargetRole, TargetRole.id == StandingCount.role_id)
        .where(StandingCount.team_id == Team.id, TargetRole.key == role.key, inside)
        .scalar_subquery()
    )


def grid_order(sort: Sort, roles: Mapping[str, RoleProfile]) -> list[Orderable]:
    """Return the ORDER BY of the grid sorted by `sort` (a column `grid_columns` names).

    A role's column is ordered by its ready engineers, then its nearly ready ones, as the
    grid shows them ("2 / 1"); ties (and the name column) by name, then id.
    """
    if sort.column == "engineers":
        count = (
            db.select(func.count(User.id))
            .where(User.team_id == Team.id, *_engineers())
            .scalar_subquery()
        )
        return [*sort.order_by(count, descending=True), Team.name, Team.id]
    role = roles.get(sort.column.removeprefix(ROLE_COLUMN))
    if role is None or not sort.column.startswith(ROLE_COLUMN):
        return [*sort.order_by(Team.name, Team.id)]
    ready, nearly = _counted(role, Band.READY), _counted(role, Band.NEARLY_READY)
    return [*sort.order_by(ready, nearly, descending=True), Team.name, Team.id]


def team_page(search: str = "", page: int = 1, order: list[Orderable] | None = None) -> Pagination:
    """Return a page of the teams with engineers (and a live role) or a live target, by `order`.

    `search` keeps the teams whose name contains it, any case; `%` and `_` are plain text.
    `order` is `grid_order`'s; by name when None.
    """
    # `standing_counts` holds rows for a team while it has engineers and a live role
    engineers = db.select(StandingCount.team_id).where(StandingCount.team_id == Team.id)
    targets = (
        db.select(StaffingTarget.id)
        .join(TargetRole, TargetRole.id == StaffingTarget.role_id)
        .where(
            StaffingTarget.team_id == Team.id,
            StaffingTarget.archived_at.is_(None),
            TargetRole.archived_at.is_(None),
        )
    )
    query = (
        db.select(Team)
        .where(engineers.exists() | targets.exists())
        .order_by(*(order or (Team.name, Team.id)))
    )
    wanted = search.strip().lower()
    if wanted:
        query = query.where(func.lower(Team.name).contains(wanted, autoescape=True))
    return db.paginate(query, page=page, per_page=TEAMS_PER_PAGE, error_out=False)


def engineer_counts(teams: Collection[int]) -> dict[int, int]:
    """Return how many active engineers each of `teams` has (one statement)."""
    rows = db.session.execute(
        db.select(User.team_id, func.count(User.id))
        .where(User.team_id.in_(teams), *_engineers())
        .group_by(User.team_id)
    )
    return {team: n for team, n in rows if team is not None}
