"""Readiness over time: the days it changes on, by the rules of `tracker.readiness`.

Pure Python, like the rules themselves. Readiness only changes on a demonstrated date, so a
figure for each such day gives readiness on any day; the week-by-week bands and the stored
`readiness_steps` (tracker.operations.steps) are both made from these.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from tracker.readiness import ModuleSpec, RoleProfile, readiness


def readiness_steps(
    modules: Mapping[str, ModuleSpec], dates: Mapping[str, date], role: RoleProfile
) -> list[tuple[date, float]]:
    """Return (from, readiness) for each day readiness for `role` changes on, in date order."""
    return role_steps(modules, dates, (role,))[role.key]


def role_steps(
    modules: Mapping[str, ModuleSpec], dates: Mapping[str, date], roles: Iterable[RoleProfile]
) -> dict[str, list[tuple[date, float]]]:
    """Return, per role, (from, readiness) for each day readiness changes on, in date order.

    Readiness only changes on a demonstrated date, so one figure from `date.min` and one for
    each later day it changes on give readiness on any day: that of the last step on or before
    it. Levels are carried from one demonstrated day to the next (rule 2, day by day).
    """
    roles = tuple(roles)
    needs = {role.key: {r.competency for r in role.requirements} for role in roles}
    by_day: dict[date, list[str]] = {}
    for key, on in dates.items():
        by_day.setdefault(on, []).append(key)
    levels: dict[str, int] = {}
    out = {role.key: [(date.min, readiness(levels, role))] for role in roles}
    for day in sorted(by_day):
        raised = set()
        for key in by_day[day]:
            for competency, level in modules[key].outcomes:
                if level > levels.get(competency, 0):
                    levels[competency] = level
                    raised.add(competency)
        for role in roles:
            if raised.isdisjoint(needs[role.key]):
                continue  # no level this role asks for went up: its readiness is the same
            value, steps = readiness(levels, role), out[role.key]
            if value != steps[-1][1]:
                steps.append((day, value))
    return out
