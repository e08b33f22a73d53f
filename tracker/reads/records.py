"""People's records as the readiness engine's inputs, in a fixed number of statements.

`load_people()` costs three statements, whether it loads one engineer or a whole organisation.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select

from tracker.extensions import db
from tracker.models import (
    Competency,
    Enrolment,
    Evidence,
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
