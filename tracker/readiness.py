"""Readiness: what an engineer has demonstrated, and how ready that makes them for a role.

Pure Python: no Flask, no database, no clock. Every figure is computed "as of" a date passed
in, from dated evidence, so history (trend charts) comes from the same rules as today.

The rules (DOMAIN.md, "Readiness"):

1. A module is *demonstrated* on the date of the evidence that satisfies it:
   - with an assessment: the earliest attempt that passed (score >= pass mark, judged when the
     attempt was recorded); a quiz attempt counts as recorded, a project or review attempt only
     once a manager has verified it — and then from the attempt's date;
   - without one: the earliest completion; when the module requires verification, only a
     verified completion, again from its own date.
   Pending, rejected and withdrawn evidence never counts. Self-assessments are not an input.
2. The demonstrated level of a competency as of D is the highest level of any outcome for it
   of a module demonstrated on or before D (0 if none).
3. Readiness for a role as of D, in percent with one decimal (halves round up):
   100 x sum(w x min(demonstrated / required, 1)) / sum(w) over the role's requirements.
   A role without requirements asks nothing, so everyone is ready for it (100). Rounding never
   shows 100 while a requirement is unmet: that shows as 99.9.
4. Band: ready at 100; nearly ready from 75; in progress above 0; not started at 0.
5. Gaps: each unmet requirement, with the modules whose outcomes would close it (those on the
   engineer's own paths first).
6. Next step on a path: the first module, in path order, not yet demonstrated whose
   prerequisites all are.
Rules 7, 8 and 10 (forecast, path status, hire or train) are in `tracker.forecast`.

7. Forecast: velocity = (readiness at D - readiness 8 weeks before) / 8 points a week;
   projected ready date = D + (100 - readiness) / velocity weeks, rounded up to a whole day;
   D itself when ready; none when the velocity is zero or negative (it would never arrive).
8. An assigned path is done when its role is ready; on track when the projected date is on or
   before the due date (or there is no due date and there is velocity); behind when after it;
   stalled when there is no projection — unless the path was joined less than 8 weeks before D
   and none of its modules has been demonstrated since: then it has just started.
9. Suggested roles: roles ordered by readiness, highest first (the smallest gap), ties by key.
10. Hire or train: gap = target - engineers projected ready by the target's date, never
    below zero; above zero is the number to hire (or move from another team).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property, lru_cache


class Band(enum.StrEnum):
    """Where a readiness figure falls."""

    READY = "ready"
    NEARLY_READY = "nearly_ready"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"


class Verdict(enum.StrEnum):
    """What a piece of evidence means for readiness, in the words people read."""

    COUNTS = "counts"
    NOT_PASSED = "not_passed"
    WAITS = "waits_for_verification"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    NOT_COUNTED = "does_not_count"


@dataclass(frozen=True)
class ModuleSpec:
    """A module: the (competency, level) outcomes it develops and how it is proven."""

    key: str
    outcomes: tuple[tuple[str, int], ...] = ()
    assessment: str | None = None  # "quiz" | "project" | "review"
    requires_verification: bool = False


@dataclass(frozen=True)
class EvidenceItem:
    """A dated completion or attempt with its verification status."""

    module: str
    kind: str  # "completion" | "attempt"
    on: date
    status: str  # "valid" | "pending" | "verified" | "rejected" | "withdrawn"
    passed: bool | None = None
    id: int | None = None  # the record it came from, for display; never used in a rule


@dataclass(frozen=True)
class Requirement:
    """A role needs `competency` at `level` (1-4), weighted."""

    competency: str
    level: int
    weight: int = 1


@dataclass(frozen=True)
class RoleProfile:
    """A target role and its requirements."""

    key: str
    requirements: tuple[Requirement, ...] = ()

    @cached_property
    def _hash(self) -> int:
        return hash((self.key, self.requirements))

    def __hash__(self) -> int:
        # Figures look readiness up by role and levels many times a request: hash it once.
        return self._hash


@dataclass(frozen=True)
class PathPlan:
    """A learning path: modules in order, and what each needs first."""

    key: str
    role: str
    modules: tuple[str, ...] = ()
    prerequisites: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Gap:
    """An unmet requirement and the modules that would close it."""

    competency: str
    demonstrated: int
    required: int
    modules: tuple[str, ...]


COUNTING_STATUSES = ("valid", "verified")


def may_count(item: EvidenceItem) -> bool:
    """Return True unless `item` can demonstrate no module at all (a part of rule 1).

    Only recorded or verified evidence counts, and of it only completions and passed attempts:
    a read may leave out everything else before it gets here (see `evidence_counts`).
    """
    return item.status in COUNTING_STATUSES and (item.kind == "completion" or bool(item.passed))


def evidence_counts(module: ModuleSpec, item: EvidenceItem) -> bool:
    """Return True when `item` demonstrates `module` (rule 1)."""
    if not may_count(item):
        return False
    if module.assessment is not None:
        if item.kind != "attempt" or not item.passed:
            return False
        return module.assessment == "quiz" or item.status == "verified"
    if item.kind != "completion":
        return False
    return not module.requires_verification or item.status == "verified"


def verdict(module: ModuleSpec, item: EvidenceItem) -> Verdict:
    """Return what `item` means for readiness: counts, not passed, waits, rejected, withdrawn."""
    if item.status == "withdrawn":
        return Verdict.WITHDRAWN
    if item.status == "rejected":
        return Verdict.REJECTED
    if item.kind == "attempt" and not item.passed:
        return Verdict.NOT_PASSED
    if item.status == "pending":
        return Verdict.WAITS
    return Verdict.COUNTS if evidence_counts(module, item) else Verdict.NOT_COUNTED


def demonstrated_dates(
    modules: Mapping[str, ModuleSpec], evidence: Iterable[EvidenceItem]
) -> dict[str, date]:
    """Return, for each demonstrated module, the date it was first demonstrated."""
    out: dict[str, date] = {}
    for item in evidence:
        module = modules.get(item.module)
        if module is None or not evidence_counts(module, item):
            continue
        if item.module not in out or item.on < out[item.module]:
            out[item.module] = item.on
    return out


def levels_as_of(
    modules: Mapping[str, ModuleSpec], dates: Mapping[str, date], as_of: date
) -> dict[str, int]:
    """Return the demonstrated level of each competency as of `as_of` (rule 2)."""
    levels: dict[str, int] = {}
    for key, on in dates.items():
        if on > as_of:
            continue
        for competency, level in modules[key].outcomes:
            levels[competency] = max(levels.get(competency, 0), level)
    return levels


def _one_decimal(value: float) -> float:
    return float(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def readiness(levels: Mapping[str, int], role: RoleProfile) -> float:
    """Return readiness for `role` in percent, one decimal (rule 3)."""
    return _readiness(role, tuple(levels.get(r.competency, 0) for r in role.requirements))


@lru_cache(maxsize=65536)
def _readiness(role: RoleProfile, have: tuple[int, ...]) -> float:
    # Many engineers share a level profile: the exact decimal sum is done once for each.
    total = sum(r.weight for r in role.requirements)
    if total == 0:
        return 100.0
    met = sum(
        Decimal(r.weight) * min(Decimal(level) / r.level, Decimal(1))
        for r, level in zip(role.requirements, have, strict=True)
    )
    value = _one_decimal(float(met * 100 / total))
    # Rounding must not make anyone "ready" who misses a requirement.
    return 99.9 if value == 100 and met < total else value


READY_FROM = 100  # readiness in percent from which an engineer is ready (rule 4)
NEARLY_READY_FROM = 75  # and nearly ready; above 0, in progress


def band(value: float) -> Band:
    """Return the band of a readiness figure (rule 4)."""
    if value >= READY_FROM:
        return Band.READY
    if value >= NEARLY_READY_FROM:
        return Band.NEARLY_READY
    return Band.IN_PROGRESS if value > 0 else Band.NOT_STARTED


def gaps(
    levels: Mapping[str, int],
    role: RoleProfile,
    modules: Mapping[str, ModuleSpec],
    own_modules: Sequence[str] = (),
) -> list[Gap]:
    """Return each unmet requirement with the modules that close it, own paths first (rule 5)."""
    own = {key: index for index, key in enumerate(own_modules)}
    out = []
    for req in role.requirements:
        have = levels.get(req.competency, 0)
        if have >= req.level:
            continue
        closing = [
            m.key
            for m in modules.values()
            if any(c == req.competency and lv >= req.level for c, lv in m.outcomes)
        ]
        closing.sort(key=lambda key: (key not in own, own.get(key, 0), key))
        out.append(Gap(req.competency, have, req.level, tuple(closing)))
    return out


def next_step(path: PathPlan, demonstrated: Iterable[str]) -> str | None:
    """Return the first undemonstrated module whose prerequisites are all demonstrated (rule 6)."""
    done = set(demonstrated)
    for key in path.modules:
        if key not in done and path.prerequisites.get(key, frozenset()) <= done:
            return key
    return None


def suggested_roles(
    levels: Mapping[str, int], roles: Iterable[RoleProfile]
) -> list[tuple[RoleProfile, float]]:
    """Return roles with readiness, highest readiness (smallest gap) first (rule 9)."""
    scored = [(role, readiness(levels, role)) for role in roles]
    return sorted(scored, key=lambda pair: (-pair[1], pair[0].key))
