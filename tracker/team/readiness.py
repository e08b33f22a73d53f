"""A team's readiness for a role as of a date: per engineer, per band, and against targets.

Statements: the catalogue (7), the team's engineers (1), their records (3), targets (1) —
the same for 5 engineers or 500.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.extensions import db
from tracker.models import Role, StaffingTarget, TargetRole, Team, User
from tracker.queries import Catalogue, load_catalogue, load_people
from tracker.readiness import (
    VELOCITY_WEEKS,
    Band,
    Forecast,
    band,
    demonstrated_dates,
    forecast,
    hire_gap,
    levels_as_of,
    projected_ready_count,
    readiness,
)


@dataclass(frozen=True)
class EngineerRow:
    """One engineer's figures for the role."""

    id: int
    email: str
    name: str
    readiness: float
    band: Band
    projected_ready_on: date | None
    last_activity: date | None


@dataclass(frozen=True)
class TargetRow:
    """A staffing target with the projection for its date and the hire-or-train answer."""

    id: int
    count: int
    by: date
    projected_ready: int
    gap: int


@dataclass(frozen=True)
class TeamReadiness:
    """Everything the team dashboard and the team API show."""

    team: Team
    role: str
    as_of: date
    engineers: list[EngineerRow]
    bands: dict[str, int]
    targets: list[TargetRow]


def team_engineers(team_id: int) -> list[User]:
    """Return the team's active engineers, by name."""
    return list(
        db.session.scalars(
            db.select(User)
            .where(
                User.team_id == team_id,
                User.active.is_(True),
                User.role_links.any(role=Role.ENGINEER),
            )
            .order_by(User.name)
        )
    )


def team_readiness(
    team: Team, role_key: str, as_of: date, catalogue: Catalogue | None = None
) -> TeamReadiness:
    """Compute the team's readiness for `role_key` as of `as_of`."""
    catalogue = catalogue or load_catalogue()
    role = catalogue.roles[role_key]
    people = team_engineers(team.id)
    records = load_people([p.id for p in people])
    rows, forecasts = [], []
    before = as_of - timedelta(weeks=VELOCITY_WEEKS)
    for person in people:
        evidence = records[person.id].evidence
        dates = demonstrated_dates(catalogue.modules, evidence)
        now = readiness(levels_as_of(catalogue.modules, dates, as_of), role)
        outlook: Forecast = forecast(
            now, readiness(levels_as_of(catalogue.modules, dates, before), role), as_of
        )
        forecasts.append(outlook)
        seen = [e.on for e in evidence if e.on <= as_of]
        rows.append(
            EngineerRow(
                person.id,
                person.email,
                person.name,
                now,
                band(now),
                outlook.projected_ready_on,
                max(seen) if seen else None,
            )
        )
    counts = Counter(row.band.value for row in rows)
    return TeamReadiness(
        team,
        role_key,
        as_of,
        rows,
        {b.value: counts.get(b.value, 0) for b in Band},
        _targets(team.id, role_key, forecasts),
    )


def _targets(team_id: int, role_key: str, forecasts: list[Forecast]) -> list[TargetRow]:
    targets = db.session.scalars(
        db.select(StaffingTarget)
        .join(TargetRole, TargetRole.id == StaffingTarget.role_id)
        .where(
            StaffingTarget.team_id == team_id,
            TargetRole.key == role_key,
            StaffingTarget.archived_at.is_(None),
        )
        .order_by(StaffingTarget.by)
    )
    out = []
    for target in targets:
        projected = projected_ready_count(forecasts, target.by)
        out.append(
            TargetRow(
                target.id, target.count, target.by, projected, hire_gap(target.count, projected)
            )
        )
    return out


def team_readiness_json(result: TeamReadiness) -> dict:  # type: ignore[type-arg]
    """Return the team's readiness in the API's documented shape."""

    def iso(value: date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "team": {"id": result.team.id, "name": result.team.name},
        "role": result.role,
        "as_of": result.as_of.isoformat(),
        "engineers": [
            {
                "email": r.email,
                "readiness": r.readiness,
                "band": r.band.value,
                "projected_ready_on": iso(r.projected_ready_on),
            }
            for r in result.engineers
        ],
        "bands": result.bands,
        "targets": [
            {
                "count": t.count,
                "by": t.by.isoformat(),
                "projected_ready": t.projected_ready,
                "gap": t.gap,
            }
            for t in result.targets
        ],
    }
