"""The one composition: an engineer's dated evidence -> every figure, as of a date.

Demonstrated dates -> levels as of D and as of D - 8 weeks -> readiness, band and forecast per
role; gaps; path progress and status. Every surface (pages, API, charts, CSV, company view,
digest) gets its figures from here, so the same engineer, role and date give the same number.
Pure: no database, no clock, no Flask.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from tracker.forecast import VELOCITY_WEEKS, Forecast, assignment_status, forecast, just_started
from tracker.history import readiness_steps
from tracker.readiness import (
    Band,
    EvidenceItem,
    Gap,
    ModuleSpec,
    PathPlan,
    RoleProfile,
    band,
    demonstrated_dates,
    gaps,
    levels_as_of,
    next_step,
    readiness,
)


@dataclass(frozen=True)
class Standing:
    """An engineer's readiness for one role as of a date, its band and forecast."""

    role: str
    readiness: float
    band: Band
    forecast: Forecast


@dataclass(frozen=True)
class Figures:
    """What one engineer has demonstrated: first dates per module, levels now and 8 weeks ago."""

    as_of: date
    dates: dict[str, date]
    levels: dict[str, int]
    before: dict[str, int]

    @property
    def done(self) -> set[str]:
        """Modules demonstrated on or before the as-of date."""
        return {key for key, on in self.dates.items() if on <= self.as_of}

    def standing(self, role: RoleProfile) -> Standing:
        """Return readiness, band and forecast for `role`."""
        return standing(
            role, readiness(self.levels, role), readiness(self.before, role), self.as_of
        )


def standing(role: RoleProfile, now: float, weeks_ago: float, as_of: date) -> Standing:
    """Return the standing of readiness `now` as of `as_of`, `weeks_ago` being 8 weeks before."""
    return Standing(role.key, now, band(now), forecast(now, weeks_ago, as_of))


def figures(
    modules: Mapping[str, ModuleSpec], evidence: Iterable[EvidenceItem], as_of: date
) -> Figures:
    """Return an engineer's figures as of `as_of` from their evidence."""
    dates = demonstrated_dates(modules, evidence)
    weeks_ago = as_of - timedelta(weeks=VELOCITY_WEEKS)
    return Figures(
        as_of, dates, levels_as_of(modules, dates, as_of), levels_as_of(modules, dates, weeks_ago)
    )


def standings(people: Iterable[Figures], role: RoleProfile) -> list[Standing]:
    """Return each engineer's standing for `role`, in order."""
    return [person.standing(role) for person in people]


def band_counts(rows: Iterable[Standing]) -> dict[str, int]:
    """Return how many standings fall in each band, every band present."""
    counts = Counter(row.band.value for row in rows)
    return {b.value: counts.get(b.value, 0) for b in Band}


def weekly_bands(
    modules: Mapping[str, ModuleSpec],
    people: Iterable[Figures],
    role: RoleProfile,
    days: Sequence[date],
) -> list[Counter[str]]:
    """Return engineers per band at each of `days` (ascending), by the same as-of rule.

    Each engineer's readiness is a step function of the day (`readiness_steps`): their band
    is added once per step, from the first of `days` the step reaches to the next step, not
    once per day.
    """
    if any(later < earlier for earlier, later in pairwise(days)):
        raise ValueError("days must be in ascending order")
    changes = {b.value: [0] * (len(days) + 1) for b in Band}
    for person in people:
        steps = readiness_steps(modules, person.dates, role)
        starts = [bisect_left(days, day) for day, _ in steps] + [len(days)]
        for (_, value), start, end in zip(steps, starts, starts[1:], strict=False):
            if start < end:
                counts = changes[band(value).value]
                counts[start] += 1
                counts[end] -= 1
    per_day: list[Counter[str]] = [Counter() for _ in days]
    for name, counts in changes.items():
        running = 0
        for i in range(len(days)):
            running += counts[i]
            if running:
                per_day[i][name] = running
    return per_day


def role_gaps(
    person: Figures,
    role: RoleProfile,
    modules: Mapping[str, ModuleSpec],
    live: frozenset[str],
    own: Sequence[str],
) -> list[Gap]:
    """Return the unmet requirements of `role` with the live modules that close them."""
    return gaps(person.levels, role, {k: m for k, m in modules.items() if k in live}, own)


@dataclass(frozen=True)
class PathProgress:
    """A path an engineer is on: modules done, the next step, and how it is going."""

    path: str
    role: str
    done: int
    total: int
    next: str | None
    assigned_by: str | None
    assigned_by_name: str | None
    due_on: date | None
    status: str


def path_progress(
    person: Figures,
    plan: PathPlan,
    standing: Standing | None,
    joined_on: date,
    assigned: tuple[str | None, str | None, date | None],
) -> PathProgress:
    """Return progress on `plan`; `assigned` is (assigner email, assigner name, due date)."""
    done = person.done & set(plan.modules)
    since = any(joined_on <= person.dates[key] for key in done)
    status = assignment_status(
        standing is not None and standing.band is Band.READY,
        standing.forecast.projected_ready_on if standing else None,
        assigned[2],
        just_started(joined_on, person.as_of, since),
    )
    return PathProgress(
        plan.key,
        plan.role,
        len(done),
        len(plan.modules),
        next_step(plan, person.done),
        assigned[0],
        assigned[1],
        assigned[2],
        status.value,
    )
