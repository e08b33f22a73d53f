"""Forecasts: when an engineer will be ready, how an assigned path is going, whom to hire.

Rules 7, 8 and 10 of the readiness rules (see `tracker.readiness`, and DOMAIN.md). Pure
Python, from readiness figures and dates passed in.
"""

from __future__ import annotations

import enum
import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

VELOCITY_WEEKS = 8


class PathStatus(enum.StrEnum):
    """How an assigned path is going against its due date."""

    DONE = "done"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    STALLED = "stalled"
    JUST_STARTED = "just_started"


@dataclass(frozen=True)
class Forecast:
    """Velocity in points a week, and the projected ready date (None: not projected)."""

    velocity: float
    projected_ready_on: date | None


def forecast(now: float, weeks_ago: float, as_of: date) -> Forecast:
    """Return velocity and the projected ready date from readiness now and 8 weeks before."""
    velocity = (now - weeks_ago) / VELOCITY_WEEKS
    if now >= 100:
        return Forecast(velocity, as_of)
    if velocity <= 0:
        return Forecast(velocity, None)
    days = math.ceil((100 - now) / velocity * 7)
    return Forecast(velocity, as_of + timedelta(days=days))


def just_started(joined_on: date, as_of: date, progressed_since: bool) -> bool:
    """Return True for a path joined under 8 weeks before `as_of` with no module done since."""
    return as_of - joined_on < timedelta(weeks=VELOCITY_WEEKS) and not progressed_since


def assignment_status(
    ready_now: bool,
    projected_ready_on: date | None,
    due_on: date | None,
    started_recently: bool = False,
) -> PathStatus:
    """Return done, on track, behind, stalled or just started for a path (rule 8)."""
    if ready_now:
        return PathStatus.DONE
    if projected_ready_on is None:
        return PathStatus.JUST_STARTED if started_recently else PathStatus.STALLED
    if due_on is None or projected_ready_on <= due_on:
        return PathStatus.ON_TRACK
    return PathStatus.BEHIND


def projected_ready_count(forecasts: Iterable[Forecast], by: date) -> int:
    """Return how many engineers are ready now or projected ready by `by` (rule 7)."""
    return sum(
        1 for f in forecasts if f.projected_ready_on is not None and f.projected_ready_on <= by
    )


def projected_ready_tally(engineers: Mapping[date | None, int], by: date) -> int:
    """Return `projected_ready_count` of engineers counted per projected ready date (rule 7).

    `engineers` maps a projected ready date (None: not projected) to how many engineers have
    it: a company's teams are counted this way, a few dates a team.
    """
    return sum(n for ready_on, n in engineers.items() if ready_on is not None and ready_on <= by)


def projected_ready_counts(projected: Iterable[date | None], days: Sequence[date]) -> list[int]:
    """Return how many of these projected ready dates fall on or before each of `days` (rule 7).

    `projected_ready_count` for many days at once: the dates are sorted once, and each day's
    count is found by bisection (a team's forecast chart asks for twelve month ends over a
    thousand engineers). tests/test_readiness.py checks that the two agree.
    """
    ready_on = sorted(d for d in projected if d is not None)
    return [bisect_right(ready_on, day) for day in days]


def hire_gap(target: int, projected_ready: int) -> int:
    """Return how many people to hire or move for a staffing target (rule 10)."""
    return max(0, target - projected_ready)
