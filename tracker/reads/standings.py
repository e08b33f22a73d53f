"""Standings read from `readiness_steps`: readiness per engineer and role, without evidence.

An engineer's readiness for a role as of a day is the step holding on that day; the forecast
needs the one holding 8 weeks before too. So a team's standings are one statement of two
rows per engineer, and the company's bands are counted by the database, grouped by team, role
and readiness (its hire-or-train counts: `tracker.reads.targeted`). The rows were computed by
the same rules (`tracker.operations.steps`), so these are the standings `Figures.standing`
gives; callers use this only while `Catalogue.steps_current`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, func
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.forecast import VELOCITY_WEEKS
from tracker.models import (
    Evidence,
    ReadinessStep,
    Role,
    StandingCount,
    TargetRole,
    Team,
    User,
)
from tracker.operations.standing_counts import NO_STEPS
from tracker.readiness import RoleProfile, readiness
from tracker.reads.catalogue import Catalogue
from tracker.reads.figures import Standing, band_counts, standing

# the step holding on the day; made once, so each query reuses it (and SQLAlchemy's compiled
# form of the query) instead of building a new alias
STEP_NOW = aliased(ReadinessStep, name="step_now")
K = TypeVar("K")


def holding(step: Any, user: Any, role_id: Any, day: date) -> ColumnElement[bool]:
    """Return the join condition of the step of `user` and `role_id` holding on `day`."""
    return and_(
        step.user_id == user,
        step.role_id == role_id,
        step.from_on <= day,
        step.until_on > day,
    )


@lru_cache(maxsize=8192)
def standing_of(role: RoleProfile, tenths: tuple[int | None, int | None], as_of: date) -> Standing:
    """Return the standing of readiness in tenths now and 8 weeks before (None: no evidence).

    Engineers share readiness figures (a role has few distinct values): each pair is worked
    out once.
    """
    nothing = readiness({}, role)  # no counting evidence: no steps
    now, before = (nothing if t is None else t / 10 for t in tenths)
    return standing(role, now, before, as_of)


def _tenths_on(role_id: Any, day: date) -> Any:
    """Return readiness in tenths of the `User` row's step for `role_id` holding on `day`.

    A correlated subquery: one seek of the primary key per engineer, whatever the size of the
    organisation (a join lets PostgreSQL's planner scan every step of the role instead).
    """
    step = ReadinessStep
    return (
        db.select(step.tenths)
        .where(holding(step, User.id, role_id, day))
        .order_by(step.from_on.desc())
        .limit(1)
        .scalar_subquery()
    )


def team_standings(
    people: Iterable[ColumnElement[bool]], role: RoleProfile, as_of: date
) -> list[tuple[int, str, str, date | None, Standing]]:
    """Return (id, email, name, last activity, standing) of the users `people` selects, by name.

    `people` are conditions on `User`; one statement in all, each engineer's figures read by
    seeks that cost the same in a team of 12 as in a company of 100,000. Last activity is the
    date of their latest evidence of any kind on or before `as_of`.
    """
    role_id = db.select(TargetRole.id).where(TargetRole.key == role.key).scalar_subquery()
    weeks_ago = as_of - timedelta(weeks=VELOCITY_WEEKS)
    latest = (
        db.select(func.max(Evidence.date))
        .where(Evidence.user_id == User.id, Evidence.date <= as_of)
        .scalar_subquery()
    )
    query = (
        db.select(
            User.id,
            User.email,
            User.name,
            latest,
            _tenths_on(role_id, as_of),
            _tenths_on(role_id, weeks_ago),
        )
        .where(*people)
        .order_by(User.name, User.id)
    )
    db.session.flush()  # what the session holds first, as its own execute would
    rows = db.session.connection().execute(query).all()  # plain rows through Core: no ORM
    known: dict[tuple[int | None, int | None], Standing] = {}  # few distinct pairs
    out = []
    for id_, email, name, last, now, before in rows:
        held = known.get((now, before))
        if held is None:
            held = known[(now, before)] = standing_of(role, (now, before), as_of)
        out.append((id_, email, name, last, held))
    return out


def engineers_in_teams() -> tuple[ColumnElement[bool], ...]:
    """Return the conditions on `User` of an active engineer in a team."""
    return (
        User.team_id.is_not(None),
        User.active.is_(True),
        User.role_links.any(role=Role.ENGINEER),
    )


def _counts(
    as_of: date, teams: Collection[int] | None = None
) -> list[tuple[str, str, int | None, int]]:
    """Return (team, role, readiness in tenths on the day or None, how many engineers).

    From the day the last of every engineer's current steps begins, that is what
    `standing_counts` counts per team, role and readiness: a few rows per team. For an earlier
    day (a clock set back) the database counts the steps holding on it. `teams` keeps only
    those teams' rows. Two statements.
    """
    latest = db.session.scalar(db.select(func.max(StandingCount.latest_on)))
    if latest is not None and latest > as_of:
        chosen = () if teams is None else (User.team_id.in_(teams),)
        return _counted_on(as_of, (*engineers_in_teams(), *chosen))
    query = (
        db.select(Team.name, TargetRole.key, StandingCount.tenths, StandingCount.engineers)
        .join(Team, Team.id == StandingCount.team_id)
        .join(TargetRole, TargetRole.id == StandingCount.role_id)
        .where(TargetRole.archived_at.is_(None))
    )
    if teams is not None:
        query = query.where(StandingCount.team_id.in_(teams))
    return [
        (team, key, None if tenths == NO_STEPS else tenths, n)
        for team, key, tenths, n in db.session.execute(query)
    ]


def _banded(
    catalogue: Catalogue, as_of: date, counts: Iterable[tuple[K, str, int | None, int]]
) -> dict[tuple[K, str], dict[str, int]]:
    """Return every band's count per (group, live role) from engineers counted by readiness."""
    grouped: dict[tuple[K, str], Counter[str]] = defaultdict(Counter)
    bands_of: dict[tuple[str, int | None], str] = {}  # a role has few distinct readiness figures
    for group, key, tenths, count in counts:
        band = bands_of.get((key, tenths))
        if band is None and key in catalogue.roles:
            band = standing_of(catalogue.roles[key], (tenths, tenths), as_of).band.value
            bands_of[(key, tenths)] = band
        if band is not None:
            grouped[(group, key)][band] += count
    every_band = band_counts(())
    return {pair: {b: n[b] for b in every_band} for pair, n in grouped.items()}


def team_bands(
    catalogue: Catalogue, as_of: date, teams: Collection[int] | None = None
) -> dict[tuple[str, str], dict[str, int]]:
    """Return bands per (team, live role) of the teams given (every team: None)."""
    return _banded(catalogue, as_of, _counts(as_of, teams))


def role_bands(catalogue: Catalogue, as_of: date) -> dict[str, dict[str, int]]:
    """Return bands per live role across the company: the sums of every team's bands.

    From `standing_counts` the database adds the teams up (a few rows per role); for an earlier
    day the teams' counts are added here.
    """
    latest = db.session.scalar(db.select(func.max(StandingCount.latest_on)))
    if latest is not None and latest > as_of:
        counts = [(None, key, tenths, n) for _, key, tenths, n in _counts(as_of)]
    else:
        counts = [
            (None, key, None if tenths == NO_STEPS else tenths, int(n))
            for key, tenths, n in db.session.execute(
                db.select(TargetRole.key, StandingCount.tenths, func.sum(StandingCount.engineers))
                .join(TargetRole, TargetRole.id == StandingCount.role_id)
                .where(TargetRole.archived_at.is_(None))
                .group_by(TargetRole.key, StandingCount.tenths)
            )
        ]
    return {key: bands for (_, key), bands in _banded(catalogue, as_of, counts).items()}


def _counted_on(
    as_of: date, engineers: tuple[ColumnElement[bool], ...]
) -> list[tuple[str, str, int | None, int]]:
    """Return (team, role, readiness in tenths on the day or None, how many engineers)."""
    now = STEP_NOW
    counted = (
        db.select(User.team_id, TargetRole.id.label("role_id"), now.tenths, func.count().label("n"))
        .select_from(User)
        .join(TargetRole, TargetRole.archived_at.is_(None))
        .outerjoin(now, holding(now, User.id, TargetRole.id, as_of))
        .where(*engineers)
        .group_by(User.team_id, TargetRole.id, now.tenths)
        .subquery()
    )
    return [
        (team, key, tenths, n)
        for team, key, tenths, n in db.session.execute(
            db.select(Team.name, TargetRole.key, counted.c.tenths, counted.c.n)
            .join(Team, Team.id == counted.c.team_id)
            .join(TargetRole, TargetRole.id == counted.c.role_id)
        )
    ]
