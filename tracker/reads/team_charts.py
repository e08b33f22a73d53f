"""The team charts' numbers in a fixed number of statements, without every engineer's evidence.

Bands need only readiness on a day, and an engineer's readiness on a day is the step of
`readiness_steps` holding then; an engineer without steps has the readiness of no evidence at
all. So the bands of every live role are the team's counts in `standing_counts`, and a role's
bands week by week the sums of the team's `band_changes` (both counted from those steps, one
statement each). The steps were computed by the same rules as `Figures.standing` and
`weekly_bands`, so these are the numbers computed from evidence; callers use them only while
`Catalogue.steps_current`.

A heatmap needs each engineer's levels, which only evidence gives: `small_team_levels` reads
them for a team small enough to draw one row per engineer, in one statement whatever its size.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import date

from sqlalchemy import Date, case, func, literal

from tracker.extensions import db
from tracker.models import BandChange, TargetRole, User
from tracker.operations.band_changes import NO_STEPS
from tracker.readiness import Band, RoleProfile, band, readiness
from tracker.reads.catalogue import Catalogue
from tracker.reads.figures import band_counts, figures
from tracker.reads.records import first_evidence
from tracker.reads.standings import team_bands
from tracker.reads.team import engineers_of


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

    One statement: the team's `band_changes` of the role up to the last day, those before the
    first day added up by the database (a few rows per week instead of a step per engineer).
    The engineers in a band on a day are the sum of its changes up to that day, as
    `weekly_bands` counts them from evidence.
    """
    if not days:
        return []
    change = BandChange
    role_id = db.select(TargetRole.id).where(TargetRole.key == role.key).scalar_subquery()
    on = case((change.day < days[0], literal(days[0], Date)), else_=change.day)
    rows = db.session.execute(
        db.select(on, change.band, func.sum(change.engineers))
        .where(change.team_id == team_id, change.role_id == role_id, change.day <= days[-1])
        .group_by(on, change.band)
    ).all()
    changes = {b.value: [0] * len(days) for b in Band}
    none = band(readiness({}, role)).value  # engineers without steps: no counting evidence
    for day, name, engineers in rows:
        changes[none if name == NO_STEPS else name][bisect_left(days, day)] += engineers
    per_day: list[dict[str, int]] = [{} for _ in days]
    for name, counts in changes.items():
        running = 0
        for i, count in enumerate(counts):
            running += count
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
