"""Which modules work: completions, pass rate, median hours and rejection rate per module.

The company view's third table, read from `module_stats` (kept by every write).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Module, ModuleStat
from tracker.operations.module_stats import COUNTS


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


def _median(counted: list[tuple[float, int]]) -> float:
    """Return the median of values given in order with how often each occurs."""
    total = sum(n for _, n in counted)
    middle = [(total - 1) // 2, total // 2]  # the positions of the middle one or two
    picked, seen = [], 0
    for value, n in counted:
        while middle and middle[0] < seen + n:
            picked.append(value)
            middle.pop(0)
        seen += n
    return statistics.fmean(picked)


def module_insight() -> list[ModuleInsight]:
    """Completions, pass rate, median hours against the estimate, and rejection rate.

    Read from `module_stats` (kept by every write): per module and value of hours, how the
    module's evidence adds up; the median is read off how often each value occurs. Two
    statements, whatever the amount of evidence.
    """
    totals: dict[int, Counter[str]] = defaultdict(Counter)
    spread: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for module_id, tenths, *counts in db.session.execute(
        select(
            ModuleStat.module_id,
            ModuleStat.hours_tenths,
            *(getattr(ModuleStat, name) for name in COUNTS),
        ).order_by(ModuleStat.module_id, ModuleStat.hours_tenths)
    ):
        numbers = dict(zip(COUNTS, counts, strict=True))
        totals[module_id].update(numbers)
        if tenths >= 0:
            spread[module_id].append((tenths / 10, numbers["pieces"]))
    modules = {
        id_: (key, title, est)
        for id_, key, title, est in db.session.execute(
            db.select(Module.id, Module.key, Module.title, Module.hours)
        )
    }
    out = []
    for module_id, t in totals.items():
        key, title, estimate = modules[module_id]
        out.append(
            ModuleInsight(
                key,
                title,
                float(estimate),
                t["completions"],
                t["attempts"],
                t["passed"] / t["attempts"] if t["attempts"] else None,
                _median(spread[module_id]) if spread[module_id] else None,
                t["rejected"] / t["decided"] if t["decided"] else None,
            )
        )
    return sorted(out, key=lambda i: (-(i.completions + i.attempts), i.title))
