"""People's records as the readiness engine's inputs, in a fixed number of statements.

`load_people()` costs three statements, whether it loads one engineer or a whole organisation.
`first_evidence()` is the input of the figures of many people at once: what the engine needs
of each one's evidence, and no more, counted down by the database (one statement).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, String, type_coerce

from tracker.extensions import db
from tracker.models import (
    Competency,
    Enrolment,
    Evidence,
    EvidenceFirst,
    EvidenceKind,
    LearningPath,
    Module,
    SelfAssessment,
    User,
)
from tracker.readiness import EvidenceItem


@dataclass(frozen=True)
class EnrolmentInfo:
    """An engineer on a path: who assigned it (email and name), when, and by when."""

    path: str
    assigned_by: str | None
    due_on: date | None
    joined_on: date
    assigned_by_name: str | None = None


@dataclass
class PersonRecords:
    """Everything about one engineer that readiness needs."""

    evidence: list[EvidenceItem] = field(default_factory=list)
    enrolments: list[EnrolmentInfo] = field(default_factory=list)
    claims: dict[str, int] = field(default_factory=dict)


def grouped_rows(query: Select[Any]) -> dict[Any, list[tuple[Any, ...]]]:
    """Run `query` and group its rows by their first column: {first: [(rest...), ...]}."""
    out: dict[Any, list[tuple[Any, ...]]] = {}
    for parent, *values in db.session.execute(query):
        out.setdefault(parent, []).append(tuple(values))
    return out


def evidence_items(user_ids: Iterable[int]) -> dict[int, list[EvidenceItem]]:
    """Return each person's evidence as engine items, oldest first (one statement)."""
    out: dict[int, list[EvidenceItem]] = {user_id: [] for user_id in user_ids}
    if not out:
        return out
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
        .where(Evidence.user_id.in_(list(out)))
        .order_by(Evidence.date, Evidence.id)
    ):
        out[user_id].append(EvidenceItem(key, kind.value, on, status.value, passed, id_))
    return out


def first_evidence(people: Select[Any]) -> dict[int, list[EvidenceItem]]:
    """Return, per person of `people` (a select of user ids), the evidence figures need.

    Demonstrated dates depend only on each item's module, kind, status and pass, and take the
    earliest date: so the earliest item of each such group gives the same dates as all of them.
    Items that can demonstrate nothing (`readiness.may_count`) are left out. The writes keep
    exactly these rows in `evidence_firsts` (`tracker.operations.firsts`), so this reads a few
    rows per person, not all their evidence. People without any such evidence are absent.
    One statement.
    """
    rows = db.session.execute(
        db.select(
            EvidenceFirst.user_id,
            Module.key,
            type_coerce(EvidenceFirst.kind, String),
            EvidenceFirst.first_on,
            type_coerce(EvidenceFirst.status, String),
        )
        .join(Module, Module.id == EvidenceFirst.module_id)
        .where(EvidenceFirst.user_id.in_(people.scalar_subquery()))
    )
    out: dict[int, list[EvidenceItem]] = {}
    attempt = EvidenceKind.ATTEMPT.value
    for user_id, key, kind, on, status in rows:
        # only passed attempts are kept; a completion has no pass
        passed = True if kind == attempt else None
        out.setdefault(user_id, []).append(EvidenceItem(key, kind, on, status, passed))
    return out


def load_people(user_ids: Collection[int], as_of: date | None = None) -> dict[int, PersonRecords]:
    """Return the evidence, enrolments and claims of these people (3 statements).

    Claims are those made by the end of `as_of` (the latest ones when it is None).
    """
    records = {user_id: PersonRecords() for user_id in user_ids}
    if not records:
        return records
    for user_id, items in evidence_items(records).items():
        records[user_id].evidence = items
    assigner = db.aliased(User)
    for user_id, key, by, by_name, due, joined in db.session.execute(
        db.select(
            Enrolment.user_id,
            LearningPath.key,
            assigner.email,
            assigner.name,
            Enrolment.due_on,
            Enrolment.enrolled_at,
        )
        .join(LearningPath, LearningPath.id == Enrolment.path_id)
        .outerjoin(assigner, assigner.id == Enrolment.assigned_by_id)
        .where(Enrolment.user_id.in_(list(records)), Enrolment.left_at.is_(None))
        .order_by(Enrolment.enrolled_at)
    ):
        records[user_id].enrolments.append(EnrolmentInfo(key, by, due, joined.date(), by_name))
    claims = (
        db.select(SelfAssessment.user_id, Competency.key, SelfAssessment.level)
        .join(Competency, Competency.id == SelfAssessment.competency_id)
        .where(SelfAssessment.user_id.in_(list(records)))
        .order_by(SelfAssessment.claimed_at, SelfAssessment.id)
    )
    if as_of is not None:
        end = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=UTC)
        claims = claims.where(SelfAssessment.claimed_at < end)
    for user_id, key, level in db.session.execute(claims):
        records[user_id].claims[key] = level  # the latest claim made by then wins
    return records
