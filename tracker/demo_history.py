"""Dated demo history: enrolments, evidence over months, self-assessments, staffing targets.

Deterministic for a seed. A few engineers end up ready, several nearly ready, most in
progress and some not started; attempts pass and fail; evidence is pending, verified and
rejected; self-assessments over- and under-claim.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from operator import itemgetter

from sqlalchemy import Column, insert

from tracker.extensions import db
from tracker.models import (
    Enrolment,
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    LearningPath,
    Module,
    ModuleOutcome,
    PathModule,
    RoleRequirement,
    SelfAssessment,
    StaffingTarget,
    Team,
    TeamManager,
    User,
)

# (share of engineers, share of their path they have demonstrated)
ARCHETYPES = ((0.12, (1.0, 1.0)), (0.2, (0.7, 0.95)), (0.53, (0.15, 0.7)), (0.15, (0.0, 0.0)))
TEAM_PATHS = {"Payments": 0, "Search": 3, "Platform": 2, "Data": 1}  # index into the paths


@dataclass(frozen=True)
class ModuleInfo:
    """What the generator needs to know about a module."""

    id: int
    hours: float
    kind: str | None
    pass_mark: int | None
    requires_verification: bool


@cache
def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=UTC)


def _catalogue() -> tuple[list[LearningPath], dict[int, list[int]], dict[int, ModuleInfo]]:
    paths = list(db.session.scalars(db.select(LearningPath).order_by(LearningPath.id)))
    steps: dict[int, list[int]] = {}
    for path_id, module_id in db.session.execute(
        db.select(PathModule.path_id, PathModule.module_id).order_by(PathModule.position)
    ):
        steps.setdefault(path_id, []).append(module_id)
    modules = {
        m.id: ModuleInfo(
            m.id,
            float(m.hours),
            m.assessment_kind.value if m.assessment_kind else None,
            m.pass_mark,
            m.requires_verification,
        )
        for m in db.session.scalars(db.select(Module))
    }
    return paths, steps, modules


class HistoryWriter:
    """Collects rows for one engineer at a time; written in bulk at the end."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng, self.today = rng, today
        self.evidence: list[dict] = []

    def _decision(self, row: dict, manager_id: int | None, day: date) -> None:
        """Decide evidence that needs a reviewer: mostly verified, some pending or rejected."""
        roll = self.rng.random()
        recent = (self.today - day).days < 45
        if recent and roll < 0.6 or manager_id is None:
            row["status"] = EvidenceStatus.PENDING
            return
        decided = min(day + timedelta(days=self.rng.randint(1, 10)), self.today)
        row.update(decided_by_id=manager_id, decided_at=_at(decided))
        if roll < 0.12:
            row.update(
                status=EvidenceStatus.REJECTED,
                decision_reason="The link shows the course notebook, not your own model "
                "evaluated against a baseline. Please add your project repo.",
            )
        else:
            row["status"] = EvidenceStatus.VERIFIED

    def _row(self, user_id: int, module: ModuleInfo, day: date, **values: object) -> dict:
        row = {
            "user_id": user_id,
            "module_id": module.id,
            "date": day,
            "hours": None,
            "evidence_url": "",
            "notes": "",
            "score": None,
            "passed": None,
            "status": EvidenceStatus.VALID,
            "source": "demo",
            "recorded_by_id": user_id,
            "created_at": _at(day),
            "decided_by_id": None,
            "decided_at": None,
            "decision_reason": "",
        }
        row.update(values)
        self.evidence.append(row)
        return row

    def module(self, user_id: int, module: ModuleInfo, day: date, manager_id: int | None) -> None:
        """Record the evidence that demonstrates `module` on `day` (with a failed try first)."""
        hours = Decimal(str(round(module.hours * self.rng.uniform(0.7, 1.6), 1)))
        url = f"https://git.example.com/demo/{user_id}/{module.id}"
        if module.kind is None:
            row = self._row(
                user_id, module, day, kind=EvidenceKind.COMPLETION, hours=hours, evidence_url=url
            )
            if module.requires_verification:
                self._decision(row, manager_id, day)
            return
        mark = module.pass_mark or 0
        if self.rng.random() < 0.3 and mark > 0:
            failed_on = day - timedelta(days=self.rng.randint(3, 14))
            self._row(
                user_id,
                module,
                failed_on,
                kind=EvidenceKind.ATTEMPT,
                score=self.rng.randint(max(0, mark - 30), mark - 1),
                passed=False,
            )
        row = self._row(
            user_id,
            module,
            day,
            kind=EvidenceKind.ATTEMPT,
            score=self.rng.randint(mark, 100),
            passed=True,
            evidence_url=url,
        )
        if module.kind != "quiz":
            self._decision(row, manager_id, day)

    def practice(
        self,
        user_id: int,
        assessed: list[ModuleInfo],
        demonstrated: dict[int, date],
        start: date,
        count: int,
    ) -> None:
        """Add `count` attempts that do not pass, each before its module was demonstrated."""
        if not assessed:
            return
        draw, today, append = self.rng.random, self.today, self.evidence.append
        base = {
            "user_id": user_id,
            "hours": None,
            "evidence_url": "",
            "notes": "",
            "passed": False,
            "status": EvidenceStatus.VALID,
            "source": "demo",
            "recorded_by_id": user_id,
            "decided_by_id": None,
            "decided_at": None,
            "decision_reason": "",
            "kind": EvidenceKind.ATTEMPT,
        }
        choices = [
            (m.id, (demonstrated.get(m.id, today) - start).days, m.pass_mark or 1) for m in assessed
        ]
        for _ in range(count):
            module_id, last, mark = choices[int(draw() * len(choices))]
            if last < 1:
                continue
            day = start + timedelta(days=int(draw() * last))
            score = mark - 1 - int(draw() * min(40, mark))
            append(
                base | {"module_id": module_id, "date": day, "score": score, "created_at": _at(day)}
            )


def _archetype(rng: random.Random) -> tuple[float, float]:
    roll, total = rng.random(), 0.0
    for share, span in ARCHETYPES:
        total += share
        if roll < total:
            return span
    return ARCHETYPES[-1][1]


def _engineers() -> list[tuple[int, str, int | None, str | None]]:
    """Return (id, email, team id, team name) of every active engineer."""
    query = (
        db.select(User.id, User.email, User.team_id, Team.name)
        .outerjoin(Team, Team.id == User.team_id)
        .where(User.active.is_(True), User.role_links.any(role="engineer"))
        .order_by(User.id)
    )
    return [tuple(row) for row in db.session.execute(query)]  # type: ignore[misc]


FORCED = {"engineer@example.com": (0.45, 0.55), "manager@example.com": (0.25, 0.35)}
CHUNK = 2000  # engineers whose rows are written together


def _area(team_name: str | None) -> str:
    """Return the area a demo team belongs to: "Payments 7" is in Payments."""
    name = team_name or ""
    return name.rsplit(" ", 1)[0] if name[-1:].isdigit() else name


def _path_index(team_name: str | None, rng: random.Random, count: int) -> int:
    """Return the index of the path a team's engineers follow."""
    fallback = rng.randrange(count)  # drawn always, so each engineer uses the same draws
    return TEAM_PATHS.get(_area(team_name), fallback) % count


def generate_history(
    seed: int,
    today: date,
    evidence: int = 0,
    progress: Callable[[int], object] = lambda n: None,
) -> dict[str, int]:
    """Write months of dated history for every engineer; return counts of what was made.

    With `evidence`, engineers who have started also make practice attempts that do not pass
    until the organisation has about `evidence` pieces per engineer (the named demo accounts
    keep only their path's evidence); failed attempts never change readiness. Rows are written
    with Core bulk inserts every `CHUNK` engineers, so memory stays flat at any size.
    """
    rng = random.Random(seed)
    paths, steps, modules = _catalogue()
    if not paths:
        return {"enrolments": 0, "evidence": 0}
    managers: dict[int, int] = {}
    for team_id, user_id in db.session.execute(
        db.select(TeamManager.team_id, TeamManager.user_id).order_by(TeamManager.user_id)
    ):
        managers.setdefault(team_id, user_id)
    outcomes = _outcomes()
    required: dict[int, list[int]] = {}
    for role_id, competency_id in db.session.execute(
        db.select(RoleRequirement.role_id, RoleRequirement.competency_id)
    ):
        required.setdefault(role_id, []).append(competency_id)
    # Practice per engineer who has started (about 15% have not).
    practice = round(evidence / (1 - ARCHETYPES[-1][0])) if evidence else 0
    totals = {"enrolments": 0, "evidence": 0}
    engineers = _engineers()
    for first in range(0, len(engineers), CHUNK):
        writer, enrolments, claims = HistoryWriter(rng, today), [], []
        for user_id, email, team_id, team_name in engineers[first : first + CHUNK]:
            path = paths[_path_index(team_name, rng, len(paths))]
            low, high = FORCED.get(email) or _archetype(rng)
            done = round(rng.uniform(low, high) * len(steps.get(path.id, [])))
            manager_id = managers.get(team_id) if team_id else None
            if manager_id == user_id:
                manager_id = None  # nobody verifies their own evidence
            start = today - timedelta(days=rng.randint(150, 300))
            enrolments.append(_enrolment(rng, user_id, path.id, manager_id, start, today))
            span = max(1, (today - start).days - 1)
            days = sorted(rng.sample(range(1, span + 1), k=min(done, span)))
            demonstrated: dict[int, date] = {}
            before = len(writer.evidence)
            for module_id, offset in zip(steps.get(path.id, [])[:done], days, strict=False):
                demonstrated[module_id] = start + timedelta(days=offset)
                writer.module(user_id, modules[module_id], demonstrated[module_id], manager_id)
            if practice and done and email not in FORCED:
                assessed = [modules[m] for m in steps.get(path.id, []) if modules[m].pass_mark]
                wanted = practice - (len(writer.evidence) - before)
                writer.practice(user_id, assessed, demonstrated, start, wanted)
            mine = _claims(
                rng,
                user_id,
                steps.get(path.id, [])[:done],
                outcomes,
                required.get(path.role_id, []),
            )
            claimed_at = _at(start + timedelta(days=rng.randint(0, span)))
            claims += [claim | {"claimed_at": claimed_at} for claim in mine]
        _write(Enrolment, enrolments)
        _write(Evidence, writer.evidence)
        _write(SelfAssessment, claims)
        totals["enrolments"] += len(enrolments)
        totals["evidence"] += len(writer.evidence)
        progress(len(enrolments))
    _targets(today, paths, managers)
    return totals


def _enrolment(
    rng: random.Random, user_id: int, path_id: int, manager_id: int | None, start: date, today: date
) -> dict:
    assigned = manager_id is not None and rng.random() < 0.6
    return {
        "user_id": user_id,
        "path_id": path_id,
        "enrolled_at": _at(start),
        "assigned_by_id": manager_id if assigned else None,
        "due_on": today + timedelta(days=rng.randint(30, 240)) if assigned else None,
    }


def _outcomes() -> dict[int, list[tuple[int, int]]]:
    out: dict[int, list[tuple[int, int]]] = {}
    for module_id, competency_id, level in db.session.execute(
        db.select(ModuleOutcome.module_id, ModuleOutcome.competency_id, ModuleOutcome.level)
    ):
        out.setdefault(module_id, []).append((competency_id, level))
    return out


def _claims(
    rng: random.Random,
    user_id: int,
    done: list[int],
    outcomes: dict[int, list[tuple[int, int]]],
    required: list[int],
) -> list[dict]:
    """Self-assessments near what was studied: some over-claim, some under-claim."""
    reached: dict[int, int] = {}
    for module_id in done:
        for competency_id, level in outcomes.get(module_id, []):
            reached[competency_id] = max(reached.get(competency_id, 0), level)
    if rng.random() < 0.3:
        required = []  # not everyone self-assesses the whole role
    return [
        {
            "user_id": user_id,
            "competency_id": c,
            "level": max(0, min(4, reached.get(c, 0) + rng.choice((-1, 0, 1, 1, 2)))),
        }
        for c in sorted(set(required) | set(reached))
    ]


def _targets(today: date, paths: list[LearningPath], managers: dict[int, int]) -> None:
    teams = db.session.execute(db.select(Team.id, Team.name).order_by(Team.id)).all()
    rows = [
        {
            "team_id": team_id,
            "role_id": paths[TEAM_PATHS.get(_area(name), 0) % len(paths)].role_id,
            "count": 3,
            "by": today + timedelta(days=120),
            "created_by_id": managers.get(team_id),
        }
        for team_id, name in teams
    ]
    _write(StaffingTarget, rows)


def _write(model: type, rows: list[dict]) -> None:
    """Insert rows in batches of one executemany each: no ORM, no per-row work in SQLAlchemy.

    Every column's bind processor runs once per distinct value (demo rows repeat dates,
    statuses and texts), then the driver gets plain tuples; any database SQLAlchemy speaks.
    """
    if not rows:
        return
    table = model.__table__  # type: ignore[attr-defined]
    keys = list(rows[0])
    connection = db.session.connection()
    compiled = insert(table).compile(
        dialect=connection.dialect, column_keys=keys, for_executemany=True
    )
    names = list(compiled.positiontup or []) if compiled.positional else list(compiled.params)
    convert = [table.c[name].type._cached_bind_processor(connection.dialect) for name in names]
    for start in range(0, len(rows), 10_000):
        batch = rows[start : start + 10_000]
        missing = {n: _default(table.c[n]) for n in names if n not in rows[0]}
        batch = [row | missing for row in batch] if missing else batch
        values = list(zip(*map(itemgetter(*names), batch), strict=True))
        for i, process in enumerate(convert):
            if process is not None:  # once per distinct value, then a C-level lookup
                done = {value: process(value) for value in set(values[i])}
                values[i] = tuple(map(done.__getitem__, values[i]))
        params: list = list(zip(*values, strict=True))
        if not compiled.positional:
            params = [dict(zip(names, row, strict=True)) for row in params]
        connection.exec_driver_sql(compiled.string, params)


def _default(column: Column) -> object:
    """Return the Python-side default of `column` for a row that leaves it out."""
    default = column.default
    if default is None:
        return None
    return default.arg(None) if default.is_callable else default.arg  # type: ignore[attr-defined]
