"""Dated demo history: enrolments, evidence over months, self-assessments, staffing targets.

Deterministic for a seed. A few engineers end up ready, several nearly ready, most in
progress and some not started; attempts pass and fail; evidence is pending, verified and
rejected; self-assessments over- and under-claim.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import insert

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


def generate_history(seed: int, today: date) -> dict[str, int]:
    """Write months of dated history for every engineer; return counts of what was made."""
    rng = random.Random(seed)
    paths, steps, modules = _catalogue()
    if not paths:
        return {"enrolments": 0, "evidence": 0}
    managers: dict[int, int] = {}
    for team_id, user_id in db.session.execute(
        db.select(TeamManager.team_id, TeamManager.user_id).order_by(TeamManager.user_id)
    ):
        managers.setdefault(team_id, user_id)
    writer, enrolments, claims = HistoryWriter(rng, today), [], []
    outcomes = _outcomes()
    required: dict[int, list[int]] = {}
    for role_id, competency_id in db.session.execute(
        db.select(RoleRequirement.role_id, RoleRequirement.competency_id)
    ):
        required.setdefault(role_id, []).append(competency_id)
    for user_id, email, team_id, team_name in _engineers():
        path = paths[TEAM_PATHS.get(team_name or "", rng.randrange(len(paths))) % len(paths)]
        low, high = FORCED.get(email) or _archetype(rng)
        done = round(rng.uniform(low, high) * len(steps.get(path.id, [])))
        manager_id = managers.get(team_id) if team_id else None
        if manager_id == user_id:
            manager_id = None  # nobody verifies their own evidence
        start = today - timedelta(days=rng.randint(150, 300))
        enrolments.append(_enrolment(rng, user_id, path.id, manager_id, start, today))
        span = max(1, (today - start).days - 1)
        days = sorted(rng.sample(range(1, span + 1), k=min(done, span)))
        for module_id, offset in zip(steps.get(path.id, [])[:done], days, strict=False):
            writer.module(user_id, modules[module_id], start + timedelta(days=offset), manager_id)
        mine = _claims(
            rng, user_id, steps.get(path.id, [])[:done], outcomes, required.get(path.role_id, [])
        )
        claimed_at = _at(start + timedelta(days=rng.randint(0, span)))
        claims += [claim | {"claimed_at": claimed_at} for claim in mine]
    _targets(today, paths, managers)
    _write(Enrolment, enrolments)
    _write(Evidence, writer.evidence)
    _write(SelfAssessment, claims)
    return {"enrolments": len(enrolments), "evidence": len(writer.evidence)}


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
    for team_id, name in teams:
        path = paths[TEAM_PATHS.get(name, 0) % len(paths)]
        db.session.add(
            StaffingTarget(
                team_id=team_id,
                role_id=path.role_id,
                count=3,
                by=today + timedelta(days=120),
                created_by_id=managers.get(team_id),
            )
        )
    db.session.flush()


def _write(model: type, rows: list[dict]) -> None:
    """Insert rows in batches (fast enough for 10,000 engineers)."""
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(model), rows[start : start + 5000])
