"""Hire-or-train counts read from `readiness_steps`: engineers per projected ready date.

For every team and role a live staffing target asks about, the database counts engineers by
their readiness on the day and 8 weeks before (`tracker.reads.standings` reads the steps the
same way for one team); each distinct pair of figures becomes a projected ready date once.
Callers use this only while `Catalogue.steps_current`, as every read of the steps.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.forecast import VELOCITY_WEEKS
from tracker.models import ReadinessStep, StaffingTarget, TargetRole, Team, User
from tracker.reads.catalogue import Catalogue
from tracker.reads.standings import (
    STEP_NOW,
    engineers_in_teams,
    holding,
    standing_of,
    team_bands,
)

_STEP_BEFORE = aliased(ReadinessStep, name="step_before")  # the step holding 8 weeks before


def company_standings(
    catalogue: Catalogue, as_of: date
) -> tuple[dict[tuple[str, str], dict[str, int]], dict[tuple[str, str], dict[date | None, int]]]:
    """Return bands per (team, live role), and engineers per projected ready date per (team,
    role) a live target asks about (forecasts need readiness 8 weeks before too). Three
    statements."""
    return team_bands(catalogue, as_of), targeted_forecasts(catalogue, as_of)


def _team_in_id_order() -> Any:
    """Return `User.team_id` for a join to teams that should visit engineers in id order.

    SQLite would reach each team's engineers through the team index; with `+ 0` it reads them
    by id, so each seek of their steps (kept by user id) lands beside the last (1.15 -> 0.5 s
    at 100,000). PostgreSQL hashes the join either way, and plans it worse with the sum.
    """
    return User.team_id + 0 if db.session.get_bind().dialect.name == "sqlite" else User.team_id


def targeted_forecasts(
    catalogue: Catalogue, as_of: date
) -> dict[tuple[str, str], dict[date | None, int]]:
    """Return how many engineers are projected ready on each date (None: not projected), per
    team and role a live target asks about.

    The database counts engineers per readiness now and 8 weeks before (one statement); each
    distinct pair becomes a projection once: the work here grows with figures, not engineers.
    """
    now, before = STEP_NOW, _STEP_BEFORE
    weeks_ago = as_of - timedelta(weeks=VELOCITY_WEEKS)
    targeted = (  # each team and role once, however many targets ask about it
        db.select(StaffingTarget.team_id, StaffingTarget.role_id)
        .where(StaffingTarget.archived_at.is_(None))
        .distinct()
        .subquery()
    )
    counted = (
        db.select(
            targeted.c.team_id,
            targeted.c.role_id,
            now.tenths.label("now"),
            before.tenths.label("before"),
            func.count().label("n"),
        )
        .select_from(User)
        .join(targeted, targeted.c.team_id == _team_in_id_order())
        .outerjoin(now, holding(now, User.id, targeted.c.role_id, as_of))
        .outerjoin(before, holding(before, User.id, targeted.c.role_id, weeks_ago))
        .where(*engineers_in_teams())
        .group_by(targeted.c.team_id, targeted.c.role_id, now.tenths, before.tenths)
        .subquery()
    )
    rows = db.session.execute(
        db.select(Team.name, TargetRole.key, counted.c.now, counted.c.before, counted.c.n)
        .join(Team, Team.id == counted.c.team_id)
        .join(TargetRole, TargetRole.id == counted.c.role_id)
        .where(TargetRole.archived_at.is_(None))
    )
    out: dict[tuple[str, str], dict[date | None, int]] = {}
    known: dict[tuple[str, int | None, int | None], date | None] = {}  # few distinct figures
    for team, key, then, earlier, count in rows:
        figure = (key, then, earlier)
        if figure in known:
            ready_on = known[figure]
        elif key in catalogue.roles:
            standing = standing_of(catalogue.roles[key], (then, earlier), as_of)
            ready_on = known[figure] = standing.forecast.projected_ready_on
        else:
            continue
        counted_on = out.setdefault((team, key), {})
        counted_on[ready_on] = counted_on.get(ready_on, 0) + count
    return out
