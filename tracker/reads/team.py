"""A team's readiness for a role as of a date: per engineer, per band, and against targets.

Statements: the team's engineers with their last activity and their standings read from
`readiness_steps` (1), targets (1), plus the catalogue (1, or 7 when it changed) when not passed
in — the same for 5 engineers or 5,000. While `readiness_steps` holds other rules, or when the
caller needs every engineer's figures anyway (the dashboard), the earliest evidence of each
kind that can count is read instead (1 more) and figures computed from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import ColumnElement, func

from tracker.extensions import db
from tracker.forecast import Forecast, hire_gap, projected_ready_counts
from tracker.models import Evidence, Role, StaffingTarget, TargetRole, Team, User
from tracker.readiness import Band
from tracker.reads.catalogue import Catalogue, load_catalogue
from tracker.reads.figures import Figures, band_counts, figures
from tracker.reads.records import first_evidence
from tracker.reads.standings import team_standings


@dataclass(frozen=True)
class Member:
    """An active engineer of a team, as columns."""

    id: int
    email: str
    name: str


class EngineerRow(NamedTuple):
    """One engineer's figures for the role (a named tuple: a team's thousand are made, kept in
    the cache and read back faster than as a dataclass)."""

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
    """Everything the team dashboard, its charts and the team API show."""

    team: Team
    role: str
    as_of: date
    engineers: list[EngineerRow]
    bands: dict[str, int]
    targets: list[TargetRow]


@dataclass(frozen=True)
class TeamFigures:
    """The team's engineers with their figures as of a date, from one load of their evidence."""

    members: list[Member]
    people: list[Figures]
    last_activity: list[date | None]


def engineers_of(team_id: int) -> list[ColumnElement[bool]]:
    """Return the conditions on `User` that select the team's active engineers."""
    return [
        User.team_id == team_id,
        User.active.is_(True),
        User.role_links.any(role=Role.ENGINEER),
    ]


def team_members(team_id: int) -> list[Member]:
    """Return the team's active engineers, by name (one statement)."""
    rows = db.session.execute(
        db.select(User.id, User.email, User.name)
        .where(*engineers_of(team_id))
        .order_by(User.name, User.id)
    )
    return [Member(*row) for row in rows]


def team_figures(team_id: int, catalogue: Catalogue, as_of: date) -> TeamFigures:
    """Return the figures of each engineer of the team as of `as_of` (two statements).

    Last activity is the date of the latest evidence of any kind or status on or before
    `as_of`, counted by the database beside each member.
    """
    latest = (
        db.select(func.max(Evidence.date))
        .where(Evidence.user_id == User.id, Evidence.date <= as_of)
        .scalar_subquery()
    )
    rows = db.session.execute(
        db.select(User.id, User.email, User.name, latest)
        .where(*engineers_of(team_id))
        .order_by(User.name, User.id)
    ).all()
    evidence = first_evidence(db.select(User.id).where(*engineers_of(team_id)))
    members = [Member(id_, email, name) for id_, email, name, _ in rows]
    people = [figures(catalogue.modules, evidence.get(m.id, ()), as_of) for m in members]
    return TeamFigures(members, people, [last for *_, last in rows])


def team_readiness(
    team: Team,
    role_key: str,
    as_of: date,
    catalogue: Catalogue | None = None,
    loaded: TeamFigures | None = None,
) -> TeamReadiness:
    """Return the team's readiness for `role_key` as of `as_of`.

    Standings come from `readiness_steps` while it holds the rules in force, unless the
    caller already `loaded` the team's figures; otherwise from each engineer's evidence.
    """
    catalogue = catalogue or load_catalogue()
    role = catalogue.roles[role_key]
    if loaded is None and catalogue.steps_current:
        people = team_standings(engineers_of(team.id), role, as_of)
    else:
        loaded = loaded or team_figures(team.id, catalogue, as_of)
        people = [
            (m.id, m.email, m.name, last, person.standing(role))
            for m, person, last in zip(
                loaded.members, loaded.people, loaded.last_activity, strict=True
            )
        ]
    rows = [
        EngineerRow(id_, email, name, s.readiness, s.band, s.forecast.projected_ready_on, last)
        for id_, email, name, last, s in people
    ]
    standings = [s for *_, s in people]
    forecasts = [s.forecast for s in standings]
    return TeamReadiness(
        team, role_key, as_of, rows, band_counts(standings), _targets(team.id, role_key, forecasts)
    )


def live_targets(team_id: int, role_key: str) -> list[tuple[int, int, date]]:
    """Return (id, count, by) of the team's live targets for a role, soonest first."""
    rows = db.session.execute(
        db.select(StaffingTarget.id, StaffingTarget.count, StaffingTarget.by)
        .join(TargetRole, TargetRole.id == StaffingTarget.role_id)
        .where(
            StaffingTarget.team_id == team_id,
            TargetRole.key == role_key,
            StaffingTarget.archived_at.is_(None),
        )
        .order_by(StaffingTarget.by, StaffingTarget.id)
    )
    return [(id_, count, by) for id_, count, by in rows]


def _targets(team_id: int, role_key: str, forecasts: list[Forecast]) -> list[TargetRow]:
    targets = live_targets(team_id, role_key)
    ready_on = (f.projected_ready_on for f in forecasts)
    projected = projected_ready_counts(ready_on, [by for _, _, by in targets])
    return [
        TargetRow(id_, count, by, n, hire_gap(count, n))
        for (id_, count, by), n in zip(targets, projected, strict=True)
    ]
