"""One engineer's progress as of a date: levels, readiness per role, gaps, paths, evidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.forecast import Forecast
from tracker.readiness import Band, Gap, suggested_roles
from tracker.reads.catalogue import Catalogue, load_catalogue
from tracker.reads.figures import PathProgress, Standing, figures, path_progress, role_gaps
from tracker.reads.records import PersonRecords, load_people


@dataclass(frozen=True)
class RoleReadiness:
    """Readiness for one role with its band, forecast and gaps."""

    role: str
    readiness: float
    band: Band
    forecast: Forecast
    gaps: list[Gap]


@dataclass(frozen=True)
class Progress:
    """Everything the engineer's pages, a manager's view of them and the progress API show."""

    as_of: date
    levels: dict[str, int]
    claims: dict[str, int]
    roles: list[RoleReadiness]
    paths: list[PathProgress]
    records: PersonRecords

    def role(self, key: str) -> RoleReadiness | None:
        """Return the figures for role `key`, or None when it is not a live role."""
        return next((r for r in self.roles if r.role == key), None)


def compute_progress(catalogue: Catalogue, records: PersonRecords, as_of: date) -> Progress:
    """Return an engineer's progress as of `as_of`."""
    person = figures(catalogue.modules, records.evidence, as_of)
    own = [
        m
        for e in records.enrolments
        if e.path in catalogue.paths
        for m in catalogue.paths[e.path].modules
    ]
    roles = [
        _role_readiness(
            person.standing(role),
            role_gaps(person, role, catalogue.modules, catalogue.live_modules, own),
        )
        for role, _ in suggested_roles(person.levels, catalogue.roles.values())
    ]
    by_role = {r.role: Standing(r.role, r.readiness, r.band, r.forecast) for r in roles}
    joined = [e for e in records.enrolments if e.path in catalogue.paths and e.joined_on <= as_of]
    paths = [
        path_progress(
            person,
            catalogue.paths[e.path],
            by_role.get(catalogue.paths[e.path].role),
            e.joined_on,
            (e.assigned_by, e.assigned_by_name, e.due_on),
        )
        for e in joined
    ]
    return Progress(as_of, person.levels, dict(records.claims), roles, paths, records)


def _role_readiness(standing: Standing, gaps: list[Gap]) -> RoleReadiness:
    return RoleReadiness(standing.role, standing.readiness, standing.band, standing.forecast, gaps)


def progress_of(user_id: int, as_of: date, catalogue: Catalogue | None = None) -> Progress:
    """Load one engineer's records and return their progress as of `as_of`."""
    catalogue = catalogue or load_catalogue()
    return compute_progress(catalogue, load_people([user_id], as_of)[user_id], as_of)


def readiness_changes(before: Progress, after: Progress) -> list[tuple[str, float, float]]:
    """Return (role, before, after) for each role whose readiness changed, biggest change first."""
    was = {r.role: r.readiness for r in before.roles}
    changed = [
        (r.role, was.get(r.role, 0.0), r.readiness)
        for r in after.roles
        if r.readiness != was.get(r.role, 0.0)
    ]
    return sorted(changed, key=lambda c: (-abs(c[2] - c[1]), c[0]))
