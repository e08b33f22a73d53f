"""Dated demo history: enrolments, evidence over months, self-assessments, staffing targets.

Deterministic for a seed. A few engineers end up ready, several nearly ready, most in
progress and some not started; attempts pass and fail; evidence is pending, verified and
rejected; self-assessments over- and under-claim.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tracker.bulk import loading, write_rows
from tracker.demo_evidence import EvidenceWriter, ModuleInfo, at
from tracker.extensions import db
from tracker.models import (
    Enrolment,
    Evidence,
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
from tracker.operations.derived import evidence_written

# (share of engineers, share of their path they have demonstrated)
ARCHETYPES = ((0.12, (1.0, 1.0)), (0.2, (0.7, 0.95)), (0.53, (0.15, 0.7)), (0.15, (0.0, 0.0)))
TEAM_PATHS = {"Payments": 0, "Search": 3, "Platform": 2, "Data": 1}  # index into the paths


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


@dataclass(frozen=True)
class _Setting:
    """What every engineer's history is drawn from: the catalogue, the managers, the day."""

    today: date
    paths: list[LearningPath]
    steps: dict[int, list[int]]  # path id -> its modules' ids, in order
    modules: dict[int, ModuleInfo]
    managers: dict[int, int]  # team id -> the manager who verifies its evidence
    outcomes: dict[int, list[tuple[int, int]]]  # module id -> (competency id, level)
    required: dict[int, list[int]]  # role id -> competency ids
    practice: int  # practice attempts per engineer who has started


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
    in bulk every `CHUNK` engineers, so memory stays flat at any size; the tables derived from
    evidence are computed once, at the end (per chunk, each recount would scan a table that
    keeps growing; from an empty start, everyone's is one set-based statement per table).
    """
    rng = random.Random(seed)
    setting = _setting(today, evidence)
    if setting is None:
        return {"enrolments": 0, "evidence": 0}
    totals = {"enrolments": 0, "evidence": 0}
    engineers = _engineers()
    with loading(Enrolment, Evidence, SelfAssessment) as empty:
        for first in range(0, len(engineers), CHUNK):
            writer, enrolments, claims = EvidenceWriter(rng, today), [], []
            for engineer in engineers[first : first + CHUNK]:
                enrolment, mine = _history(rng, setting, writer, engineer)
                enrolments.append(enrolment)
                claims += mine
            write_rows(Enrolment, enrolments)
            write_rows(Evidence, writer.evidence)
            write_rows(SelfAssessment, claims)
            totals["enrolments"] += len(enrolments)
            totals["evidence"] += len(writer.evidence)
            progress(len(enrolments))
    everyone = Evidence.__table__ in empty
    evidence_written(db.session(), None if everyone else [user_id for user_id, *_ in engineers])
    _targets(today, setting.paths, setting.managers)
    return totals


def _setting(today: date, evidence: int) -> _Setting | None:
    """Read what histories are drawn from (None when the catalogue has no paths)."""
    paths, steps, modules = _catalogue()
    if not paths:
        return None
    managers: dict[int, int] = {}
    for team_id, user_id in db.session.execute(
        db.select(TeamManager.team_id, TeamManager.user_id).order_by(TeamManager.user_id)
    ):
        managers.setdefault(team_id, user_id)
    required: dict[int, list[int]] = {}
    for role_id, competency_id in db.session.execute(
        db.select(RoleRequirement.role_id, RoleRequirement.competency_id)
    ):
        required.setdefault(role_id, []).append(competency_id)
    # Practice per engineer who has started (about 15% have not).
    practice = round(evidence / (1 - ARCHETYPES[-1][0])) if evidence else 0
    return _Setting(today, paths, steps, modules, managers, _outcomes(), required, practice)


def _history(
    rng: random.Random,
    setting: _Setting,
    writer: EvidenceWriter,
    engineer: tuple[int, str, int | None, str | None],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Draw one engineer's history: add their evidence to `writer`; return (enrolment, claims)."""
    user_id, email, team_id, team_name = engineer
    today, modules = setting.today, setting.modules
    path = setting.paths[_path_index(team_name, rng, len(setting.paths))]
    route = setting.steps.get(path.id, [])
    low, high = FORCED.get(email) or _archetype(rng)
    done = round(rng.uniform(low, high) * len(route))
    manager_id = setting.managers.get(team_id) if team_id else None
    if manager_id == user_id:
        manager_id = None  # nobody verifies their own evidence
    start = today - timedelta(days=rng.randint(150, 300))
    enrolment = _enrolment(rng, user_id, path.id, manager_id, start, today)
    span = max(1, (today - start).days - 1)
    days = sorted(rng.sample(range(1, span + 1), k=min(done, span)))
    demonstrated: dict[int, date] = {}
    before = len(writer.evidence)
    for module_id, offset in zip(route[:done], days, strict=False):
        demonstrated[module_id] = start + timedelta(days=offset)
        writer.module(user_id, modules[module_id], demonstrated[module_id], manager_id)
    if setting.practice and done and email not in FORCED:
        assessed = [modules[m] for m in route if modules[m].pass_mark]
        wanted = setting.practice - (len(writer.evidence) - before)
        writer.practice(user_id, assessed, demonstrated, start, wanted)
    mine = _claims(
        rng, user_id, route[:done], setting.outcomes, setting.required.get(path.role_id, [])
    )
    claimed_at = at(start + timedelta(days=rng.randint(0, span)))
    return enrolment, [claim | {"claimed_at": claimed_at} for claim in mine]


def _enrolment(
    rng: random.Random, user_id: int, path_id: int, manager_id: int | None, start: date, today: date
) -> dict:
    assigned = manager_id is not None and rng.random() < 0.6
    return {
        "user_id": user_id,
        "path_id": path_id,
        "enrolled_at": at(start),
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
    write_rows(StaffingTarget, rows)
