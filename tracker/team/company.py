"""The company view for L&D: teams x roles, hire-or-train summed over teams, module insight."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from flask import render_template
from sqlalchemy import case, func

from tracker.access import role_required
from tracker.extensions import db
from tracker.models import (
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    Module,
    Role,
    StaffingTarget,
    TargetRole,
    Team,
    User,
)
from tracker.queries import load_catalogue, load_people
from tracker.readiness import (
    VELOCITY_WEEKS,
    Band,
    band,
    demonstrated_dates,
    forecast,
    hire_gap,
    levels_as_of,
    projected_ready_count,
    readiness,
)
from tracker.team import bp


@dataclass(frozen=True)
class ModuleInsight:
    """How a module works in practice."""

    key: str
    title: str
    estimate: float
    completions: int
    attempts: int
    pass_rate: float | None
    median_hours: float | None
    rejection_rate: float | None


def _team_grid(as_of: date) -> tuple[dict, dict]:  # type: ignore[type-arg]
    """Return {(team, role): (ready, nearly)} and {role: [forecasts]} over every team."""
    catalogue = load_catalogue()
    people = db.session.execute(
        db.select(User.id, Team.name)
        .join(Team, Team.id == User.team_id)
        .where(User.active.is_(True), User.role_links.any(role=Role.ENGINEER))
    ).all()
    records = load_people([pid for pid, _ in people])
    grid: dict = defaultdict(lambda: [0, 0])
    forecasts: dict = defaultdict(list)
    weeks_ago = as_of - timedelta(weeks=VELOCITY_WEEKS)
    for pid, team in people:
        dates = demonstrated_dates(catalogue.modules, records[pid].evidence)
        now, before = (levels_as_of(catalogue.modules, dates, d) for d in (as_of, weeks_ago))
        for key, role in catalogue.roles.items():
            value = readiness(now, role)
            forecasts[(team, key)].append(forecast(value, readiness(before, role), as_of))
            if band(value) is Band.READY:
                grid[(team, key)][0] += 1
            elif band(value) is Band.NEARLY_READY:
                grid[(team, key)][1] += 1
    return grid, forecasts


def _targets(forecasts: dict) -> list[tuple[str, str, int, date, int, int]]:  # type: ignore[type-arg]
    rows = db.session.execute(
        db.select(Team.name, TargetRole.key, StaffingTarget.count, StaffingTarget.by)
        .join(Team, Team.id == StaffingTarget.team_id)
        .join(TargetRole, TargetRole.id == StaffingTarget.role_id)
        .where(StaffingTarget.archived_at.is_(None))
        .order_by(StaffingTarget.by)
    ).all()
    out = []
    for team, role, count, by in rows:
        projected = projected_ready_count(forecasts.get((team, role), []), by)
        out.append((team, role, count, by, projected, hire_gap(count, projected)))
    return out


def module_insight() -> list[ModuleInsight]:
    """Completions, pass rate, median hours against the estimate, and rejection rate."""
    counts = db.session.execute(
        db.select(
            Evidence.module_id,
            func.sum(case((Evidence.kind == EvidenceKind.COMPLETION, 1), else_=0)),
            func.sum(case((Evidence.kind == EvidenceKind.ATTEMPT, 1), else_=0)),
            func.sum(case((Evidence.passed.is_(True), 1), else_=0)),
            func.sum(case((Evidence.status == EvidenceStatus.REJECTED, 1), else_=0)),
            func.sum(case((Evidence.decided_at.is_not(None), 1), else_=0)),
        )
        .where(Evidence.status != EvidenceStatus.WITHDRAWN)
        .group_by(Evidence.module_id)
    ).all()
    hours: dict[int, list[float]] = defaultdict(list)
    for module_id, value in db.session.execute(
        db.select(Evidence.module_id, Evidence.hours).where(
            Evidence.hours.is_not(None), Evidence.status != EvidenceStatus.WITHDRAWN
        )
    ):
        hours[module_id].append(float(value))
    modules = {m.id: m for m in db.session.scalars(db.select(Module))}
    out = []
    for module_id, done, tries, passed, rejected, decided in counts:
        m = modules[module_id]
        out.append(
            ModuleInsight(
                m.key,
                m.title,
                float(m.hours),
                done or 0,
                tries or 0,
                (passed or 0) / tries if tries else None,
                statistics.median(hours[module_id]) if hours[module_id] else None,
                (rejected or 0) / decided if decided else None,
            )
        )
    return sorted(out, key=lambda i: (-(i.completions + i.attempts), i.title))


@bp.get("/company")
@role_required(Role.LD)
def company() -> str:
    """Teams x roles (ready / nearly ready), staffing targets summed, and which modules work."""
    today = date.today()
    grid, forecasts = _team_grid(today)
    catalogue = load_catalogue()
    targets = _targets(forecasts)
    teams = sorted({team for team, _ in grid} | {t for t, *_ in targets})
    total: dict = defaultdict(lambda: [0, 0, 0])
    for _, role, count, _, projected, gap in targets:
        total[role][0] += count
        total[role][1] += projected
        total[role][2] += gap
    return render_template(
        "team/company.html",
        teams=teams,
        roles=sorted(catalogue.roles),
        grid=grid,
        names=catalogue.names,
        targets=targets,
        totals=dict(total),
        insight=module_insight(),
    )
