"""Reads that turn rows into the readiness engine's inputs, in a fixed number of statements.

`load_catalogue()` costs seven statements whatever the catalogue's size; `load_people()`
three, whether it loads one engineer or a whole organisation.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from tracker.extensions import db
from tracker.models import (
    Competency,
    Enrolment,
    Evidence,
    LearningPath,
    Module,
    ModuleOutcome,
    PathModule,
    PathPrerequisite,
    RoleRequirement,
    SelfAssessment,
    TargetRole,
    User,
)
from tracker.readiness import EvidenceItem, ModuleSpec, PathPlan, Requirement, RoleProfile


@dataclass(frozen=True)
class Catalogue:
    """The catalogue as the engine sees it; archived modules still count for old evidence."""

    modules: dict[str, ModuleSpec]
    live_modules: frozenset[str]
    roles: dict[str, RoleProfile]  # live roles
    paths: dict[str, PathPlan]  # live paths
    names: dict[str, str]  # key -> display name, for every kind


@dataclass(frozen=True)
class EnrolmentInfo:
    """An engineer on a path."""

    path: str
    assigned_by: str | None
    due_on: date | None


@dataclass
class PersonRecords:
    """Everything about one engineer that readiness needs."""

    evidence: list[EvidenceItem] = field(default_factory=list)
    enrolments: list[EnrolmentInfo] = field(default_factory=list)
    claims: dict[str, int] = field(default_factory=dict)


def grouped_rows(query) -> dict:  # type: ignore[no-untyped-def]
    """Run `query` and group its rows by their first column: {first: [(rest...), ...]}."""
    out: dict = {}
    for parent, *values in db.session.execute(query):
        out.setdefault(parent, []).append(tuple(values))
    return out


def load_catalogue() -> Catalogue:
    """Return every module, and the live roles and paths, keyed by their keys."""
    outcomes = grouped_rows(
        db.select(Module.key, Competency.key, ModuleOutcome.level)
        .join(ModuleOutcome, ModuleOutcome.module_id == Module.id)
        .join(Competency, Competency.id == ModuleOutcome.competency_id)
    )
    modules, live, names = {}, set(), {}
    for m in db.session.scalars(db.select(Module)):
        kind = m.assessment_kind.value if m.assessment_kind else None
        modules[m.key] = ModuleSpec(
            m.key, tuple(outcomes.get(m.key, [])), kind, m.requires_verification
        )
        names[m.key] = m.title
        if m.archived_at is None:
            live.add(m.key)
    requires = grouped_rows(
        db.select(TargetRole.key, Competency.key, RoleRequirement.level, RoleRequirement.weight)
        .join(RoleRequirement, RoleRequirement.role_id == TargetRole.id)
        .join(Competency, Competency.id == RoleRequirement.competency_id)
        .order_by(Competency.key)
    )
    roles = {}
    for key, name in db.session.execute(
        db.select(TargetRole.key, TargetRole.name).where(TargetRole.archived_at.is_(None))
    ):
        roles[key] = RoleProfile(key, tuple(Requirement(*r) for r in requires.get(key, [])))
        names[key] = name
    names.update(dict(db.session.execute(db.select(Competency.key, Competency.name)).all()))
    return Catalogue(modules, frozenset(live), roles, _load_paths(names), names)


def _load_paths(names: dict[str, str]) -> dict[str, PathPlan]:
    steps = grouped_rows(
        db.select(PathModule.path_id, Module.key)
        .join(Module)
        .order_by(PathModule.path_id, PathModule.position)
    )
    required = db.aliased(Module)
    prereqs = grouped_rows(
        db.select(PathPrerequisite.path_id, Module.key, required.key)
        .join(Module, Module.id == PathPrerequisite.module_id)
        .join(required, required.id == PathPrerequisite.requires_module_id)
    )
    paths = {}
    for path_id, key, name, role in db.session.execute(
        db.select(LearningPath.id, LearningPath.key, LearningPath.name, TargetRole.key)
        .join(TargetRole, TargetRole.id == LearningPath.role_id)
        .where(LearningPath.archived_at.is_(None))
    ):
        needs: dict[str, set[str]] = {}
        for module, before in prereqs.get(path_id, []):
            needs.setdefault(module, set()).add(before)
        paths[key] = PathPlan(
            key,
            role,
            tuple(k for (k,) in steps.get(path_id, [])),
            {k: frozenset(v) for k, v in needs.items()},
        )
        names[key] = name
    return paths


def load_people(user_ids: Collection[int]) -> dict[int, PersonRecords]:
    """Return the evidence, enrolments and self-assessments of these people (3 statements)."""
    records = {user_id: PersonRecords() for user_id in user_ids}
    if not records:
        return records
    ids = list(records)
    for user_id, id_, key, kind, on, status, passed in db.session.execute(
        db.select(
            Evidence.user_id,
            Evidence.id,
            Module.key,
            Evidence.kind,
            Evidence.date,
            Evidence.status,
            Evidence.passed,
        )
        .join(Module, Module.id == Evidence.module_id)
        .where(Evidence.user_id.in_(ids))
        .order_by(Evidence.date, Evidence.id)
    ):
        item = EvidenceItem(key, kind.value, on, status.value, passed, id_)
        records[user_id].evidence.append(item)
    assigner = db.aliased(User)
    for user_id, key, by, due in db.session.execute(
        db.select(Enrolment.user_id, LearningPath.key, assigner.email, Enrolment.due_on)
        .join(LearningPath, LearningPath.id == Enrolment.path_id)
        .outerjoin(assigner, assigner.id == Enrolment.assigned_by_id)
        .where(Enrolment.user_id.in_(ids), Enrolment.left_at.is_(None))
        .order_by(Enrolment.enrolled_at)
    ):
        records[user_id].enrolments.append(EnrolmentInfo(key, by, due))
    for user_id, key, level in db.session.execute(
        db.select(SelfAssessment.user_id, Competency.key, SelfAssessment.level)
        .join(Competency)
        .where(SelfAssessment.user_id.in_(records))
    ):
        records[user_id].claims[key] = level
    return records
