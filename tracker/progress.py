"""One engineer's progress as of a date: levels, readiness per role, gaps, paths, evidence.

Composes the pure engine over what `queries` loaded; no statements of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tracker.queries import Catalogue, PersonRecords
from tracker.readiness import (
    VELOCITY_WEEKS,
    Band,
    Forecast,
    Gap,
    assignment_status,
    band,
    demonstrated_dates,
    forecast,
    gaps,
    levels_as_of,
    next_step,
    readiness,
    suggested_roles,
)


@dataclass(frozen=True)
class RoleReadiness:
    """Readiness for one role, with its band, gaps and forecast."""

    role: str
    readiness: float
    band: Band
    gaps: list[Gap]
    forecast: Forecast


@dataclass(frozen=True)
class PathProgress:
    """An enrolled path: modules done, the next step, and how it is going."""

    path: str
    role: str
    done: int
    total: int
    next: str | None
    assigned_by: str | None
    due_on: date | None
    status: str


@dataclass(frozen=True)
class Progress:
    """Everything the engineer's page and the progress API show."""

    as_of: date
    levels: dict[str, int]
    claims: dict[str, int]
    roles: list[RoleReadiness]
    paths: list[PathProgress]


def compute_progress(catalogue: Catalogue, records: PersonRecords, as_of: date) -> Progress:
    """Return an engineer's progress as of `as_of`."""
    dates = demonstrated_dates(catalogue.modules, records.evidence)
    levels = levels_as_of(catalogue.modules, dates, as_of)
    before = levels_as_of(catalogue.modules, dates, as_of - timedelta(weeks=VELOCITY_WEEKS))
    done = {key for key, on in dates.items() if on <= as_of}
    own = [
        m
        for e in records.enrolments
        if e.path in catalogue.paths
        for m in catalogue.paths[e.path].modules
    ]
    live = {k: m for k, m in catalogue.modules.items() if k in catalogue.live_modules}
    roles = []
    for role, value in suggested_roles(levels, catalogue.roles.values()):
        roles.append(
            RoleReadiness(
                role.key,
                value,
                band(value),
                gaps(levels, role, live, own),
                forecast(value, readiness(before, role), as_of),
            )
        )
    by_role = {r.role: r for r in roles}
    paths = []
    for enrolment in records.enrolments:
        plan = catalogue.paths.get(enrolment.path)
        if plan is None:
            continue
        role = by_role.get(plan.role)
        status = assignment_status(
            role is not None and role.band is Band.READY,
            role.forecast.projected_ready_on if role else None,
            enrolment.due_on,
        )
        paths.append(
            PathProgress(
                plan.key,
                plan.role,
                len(done & set(plan.modules)),
                len(plan.modules),
                next_step(plan, done),
                enrolment.assigned_by,
                enrolment.due_on,
                status.value,
            )
        )
    return Progress(as_of, levels, dict(records.claims), roles, paths)


def progress_json(
    email: str, name: str, progress: Progress, records: PersonRecords
) -> dict[str, Any]:
    """Return the progress in the API's documented shape."""
    competencies = sorted(set(progress.levels) | set(progress.claims))
    return {
        "engineer": {"email": email, "name": name},
        "as_of": progress.as_of.isoformat(),
        "levels": {
            c: {"demonstrated": progress.levels.get(c, 0), "claimed": progress.claims.get(c)}
            for c in competencies
        },
        "roles": [
            {
                "role": r.role,
                "readiness": r.readiness,
                "band": r.band.value,
                "projected_ready_on": _iso(r.forecast.projected_ready_on),
                "gaps": [
                    {
                        "competency": g.competency,
                        "demonstrated": g.demonstrated,
                        "required": g.required,
                        "modules": list(g.modules),
                    }
                    for g in r.gaps
                ],
            }
            for r in progress.roles
        ],
        "paths": [
            {
                "path": p.path,
                "next": p.next,
                "done": p.done,
                "total": p.total,
                "assigned_by": p.assigned_by,
                "due_on": _iso(p.due_on),
                "status": p.status,
            }
            for p in progress.paths
        ],
        "evidence": [
            {
                "id": e.id,
                "module": e.module,
                "kind": e.kind,
                "date": e.on.isoformat(),
                "status": e.status,
            }
            for e in records.evidence
            if e.on <= progress.as_of
        ],
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
