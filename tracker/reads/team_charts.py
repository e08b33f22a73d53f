"""The team charts' numbers in a fixed number of statements, without every engineer's evidence.

Bands need only readiness on a day, and an engineer's readiness on a day is the step of
`readiness_steps` holding then; an engineer without steps has the readiness of no evidence at
all. So the bands of every live role are the team's counts in `standing_counts`, and a role's
bands week by week come from the team's steps of that role that reach into the weeks (one
statement, counted here). The steps were computed by the same rules as `Figures.standing` and
`weekly_bands`, so these are the numbers computed from evidence; callers use them only while
`Catalogue.steps_current`.

A heatmap needs each engineer's levels, which only evidence gives: `small_team_levels` reads
them for a team small enough to draw one row per engineer, in one statement whatever its size.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import date

from sqlalchemy import and_, func, true

from tracker.extensions import db
from tracker.models import ReadinessStep, TargetRole, User
from tracker.readiness import Band, RoleProfile, band, readiness
from tracker.reads.catalogue import Catalogue
from tracker.reads.figures import band_counts, figures
from tracker.reads.records import first_evidence
from tracker.reads.standings import team_bands
from tracker.reads.team import engineers_of


def _band(role: RoleProfile, tenths: int | None) -> Band:
    """Return the band of a step's readiness in tenths (None: no step, no counting evidence)."""
    return band(readiness({}, role) if tenths is None else tenths / 10)


def role_bands(team_id: int, catalogue: Catalogue, as_of: date) -> dict[str, dict[str, int]]:
    """Return the team's engineers per band for every live role, as of a date.

    What `standing_counts` holds for the team (a few rows), or for a day before the counts'
    latest, what the database counts of the steps holding then (`team_bands`): the company
    view's numbers for the team, the same way.
    """
    counted = {key: bands for (_, key), bands in team_bands(catalogue, as_of, [team_id]).items()}
    return {key: counted.get(key) or band_counts(()) for key in catalogue.roles}


def weekly_role_bands(
    team_id: int, role: RoleProfile, days: Sequence[date]
) -> list[dict[str, int]]:
    """Return the team's engineers per band for `role` on each of `days` (ascending).

    One statement: each engineer's steps of the role that hold on some day of `days` (a row
    with no step for an engineer without any), found by seeks of each engineer's steps (on
    PostgreSQL a lateral join: joined plainly, its planner scans every step of the role in the
    company for one team). Each step adds its band from the first of `days` it reaches to the
    first it no longer holds on, as `weekly_bands` does. (Counting them in the database
    instead, each step's two days found by a CASE over `days`, was measured slower on SQLite:
    the comparisons cost more than the rows they save.)
    """
    if not days:
        return []
    step = ReadinessStep
    role_id = db.select(TargetRole.id).where(TargetRole.key == role.key).scalar_subquery()
    holding = (
        step.user_id == User.id,
        step.role_id == role_id,
        step.from_on <= days[-1],
        step.until_on > days[0],
    )
    db.session.flush()  # what the session holds first, as its own execute would
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        held = db.select(step.from_on, step.until_on, step.tenths).where(*holding)
        steps = held.offset(0).lateral()  # an offset keeps the planner from joining it plainly
        query = db.select(steps).select_from(User).outerjoin(steps, true())
    else:  # SQLite has no lateral joins, and seeks each engineer's steps for this one
        query = db.select(step.from_on, step.until_on, step.tenths).select_from(User)
        query = query.outerjoin(step, and_(*holding))
    rows = connection.execute(query.where(*engineers_of(team_id))).all()  # plain rows: no ORM
    changes = {b.value: [0] * (len(days) + 1) for b in Band}
    of_tenths: dict[int | None, list[int]] = {}  # readiness in tenths -> its band's changes
    last = len(days)
    for from_on, until_on, tenths in rows:
        counts = of_tenths.get(tenths)
        if counts is None:
            counts = of_tenths[tenths] = changes[_band(role, tenths).value]
        counts[0 if from_on is None else bisect_left(days, from_on)] += 1
        counts[last if until_on is None else bisect_left(days, until_on)] -= 1
    per_day: list[dict[str, int]] = [{} for _ in days]
    for name, counts in changes.items():
        running = 0
        for i in range(len(days)):
            running += counts[i]
            per_day[i][name] = running
    return per_day


def small_team_levels(
    team_id: int, catalogue: Catalogue, as_of: date, most: int
) -> dict[int, dict[str, int]]:
    """Return each engineer's demonstrated levels as of a date, for a team of at most `most`.

    One statement whatever the team's size: for a larger team the database returns nothing
    (its heatmap counts engineers per level instead, drawn by the chart route). Engineers
    without counting evidence are absent: every level 0.
    """
    # a count of at most `most` + 1 engineers: the database stops there for a larger team
    some = db.select(User.id).where(*engineers_of(team_id)).limit(most + 1).subquery()
    size = db.select(func.count()).select_from(some).scalar_subquery()
    evidence = first_evidence(db.select(some.c.id).where(size <= most))
    return {id_: figures(catalogue.modules, items, as_of).levels for id_, items in evidence.items()}
