"""Writes for progress: record evidence, decide it, withdraw it, enrol. Add and flush; never commit.

Each function checks the rules that make a record valid and raises RecordError naming the
field; the caller (a view, the API) decides who may call it and commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tracker import audit
from tracker.extensions import db
from tracker.models import (
    AssessmentKind,
    Enrolment,
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    LearningPath,
    Module,
    Notification,
    SelfAssessment,
    User,
    utcnow,
)


class RecordError(ValueError):
    """Bad input for a record: `fields` maps each field to why."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


@dataclass(frozen=True)
class CompletionInput:
    """What a person enters for a completion."""

    completed_on: date
    hours: Decimal | None = None
    evidence_url: str = ""
    notes: str = ""


def _check_common(module: Module, on: date, today: date, url: str) -> dict[str, str]:
    errors = {}
    if module.archived_at is not None:
        errors["module"] = "this module is archived"
    if on > today:
        errors["date"] = "cannot be in the future"
    if url and not url.lower().startswith(("http://", "https://")):
        errors["evidence_url"] = "must be an http(s) link"
    return errors


def record_completion(
    engineer: User,
    module: Module,
    data: CompletionInput,
    by: User,
    today: date,
    source: str = "web",
) -> Evidence:
    """Add a completion; pending when the module requires verification, valid otherwise."""
    errors = _check_common(module, data.completed_on, today, data.evidence_url)
    if data.hours is not None and not (0 <= data.hours <= 1000):
        errors["hours"] = "must be between 0 and 1000"
    if errors:
        raise RecordError(errors)
    status = EvidenceStatus.PENDING if module.requires_verification else EvidenceStatus.VALID
    evidence = Evidence(
        user_id=engineer.id,
        module_id=module.id,
        kind=EvidenceKind.COMPLETION,
        date=data.completed_on,
        hours=data.hours,
        evidence_url=data.evidence_url.strip(),
        notes=data.notes.strip(),
        status=status,
        source=source,
        recorded_by_id=by.id,
    )
    db.session.add(evidence)
    db.session.flush()
    audit.record(
        "evidence.recorded",
        f"evidence {evidence.id}",
        f"{engineer.email} completion {module.key} {status.value}",
        actor=by,
    )
    return evidence


def record_attempt(
    engineer: User,
    module: Module,
    taken_on: date,
    score: int,
    by: User,
    today: date,
    evidence_url: str = "",
    source: str = "web",
) -> Evidence:
    """Add an assessment attempt, passed against the pass mark in force now.

    A passed project or review attempt waits for a manager's verification.
    """
    errors = _check_common(module, taken_on, today, evidence_url)
    if module.assessment_kind is None:
        errors["module"] = "this module has no assessment; record a completion instead"
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
        errors["score"] = "must be a whole number from 0 to 100"
    if errors:
        raise RecordError(errors)
    passed = score >= (module.pass_mark or 0)
    needs_review = passed and module.assessment_kind is not AssessmentKind.QUIZ
    status = EvidenceStatus.PENDING if needs_review else EvidenceStatus.VALID
    evidence = Evidence(
        user_id=engineer.id,
        module_id=module.id,
        kind=EvidenceKind.ATTEMPT,
        date=taken_on,
        score=score,
        passed=passed,
        status=status,
        evidence_url=evidence_url.strip(),
        source=source,
        recorded_by_id=by.id,
    )
    db.session.add(evidence)
    db.session.flush()
    audit.record(
        "evidence.recorded",
        f"evidence {evidence.id}",
        f"{engineer.email} attempt {module.key} score={score} {status.value}",
        actor=by,
    )
    return evidence


def decide(evidence: Evidence, manager: User, verified: bool, reason: str = "") -> None:
    """Verify or reject pending evidence, tell its owner, and audit it."""
    if evidence.status is not EvidenceStatus.PENDING:
        raise RecordError({"decision": f"this evidence is {evidence.status.value}, not pending"})
    if not verified and not reason.strip():
        raise RecordError({"reason": "say why the evidence is rejected"})
    evidence.status = EvidenceStatus.VERIFIED if verified else EvidenceStatus.REJECTED
    evidence.decided_by_id, evidence.decided_at = manager.id, utcnow()
    evidence.decision_reason = reason.strip()
    word = "verified" if verified else "rejected"
    why = f": {reason.strip()}" if not verified else ""
    db.session.add(
        Notification(
            user_id=evidence.user_id,
            message=f"{manager.name} {word} your evidence #{evidence.id}{why}",
        )
    )
    audit.record(f"evidence.{word}", f"evidence {evidence.id}", reason.strip(), actor=manager)


def withdraw(evidence: Evidence, owner: User) -> None:
    """Take back one's own pending evidence; the record stays, marked withdrawn."""
    if evidence.status is not EvidenceStatus.PENDING:
        raise RecordError({"status": "only pending evidence can be withdrawn"})
    evidence.status = EvidenceStatus.WITHDRAWN
    audit.record("evidence.withdrawn", f"evidence {evidence.id}", actor=owner)


class AlreadyEnrolled(RecordError):
    """The engineer is already on this path."""


def enrol(
    engineer: User, path: LearningPath, by: User, due_on: date | None, today: date
) -> Enrolment:
    """Put an engineer on a path (by themselves, or assigned with an optional due date)."""
    if path.archived_at is not None:
        raise RecordError({"path": "this path is archived"})
    if due_on is not None and due_on < today:
        raise RecordError({"due_on": "cannot be in the past"})
    current = db.session.scalar(
        db.select(Enrolment).where(Enrolment.user_id == engineer.id, Enrolment.path_id == path.id)
    )
    if current is not None and current.left_at is None:
        raise AlreadyEnrolled({"path": f"{engineer.email} is already on {path.key}"})
    assigned_by = by.id if by.id != engineer.id else None
    if current is None:
        current = Enrolment(user_id=engineer.id, path_id=path.id)
        db.session.add(current)
    current.left_at, current.assigned_by_id, current.due_on = None, assigned_by, due_on
    current.enrolled_at = utcnow()
    db.session.flush()
    audit.record(
        "enrolment.added",
        f"{engineer.email} {path.key}",
        f"assigned by {by.email}" if assigned_by else "self",
        actor=by,
    )
    return current


def leave(enrolment: Enrolment, by: User) -> None:
    """Take an engineer off a path; the enrolment and all evidence stay."""
    enrolment.left_at = utcnow()
    audit.record("enrolment.left", f"enrolment {enrolment.id}", actor=by)


def set_claims(engineer: User, claims: dict[int, int]) -> None:
    """Record the levels an engineer claims per competency id (0-4); shown, never counted."""
    for competency_id, level in claims.items():
        if not 0 <= level <= 4:
            raise RecordError({"level": "must be 0 to 4"})
        row = db.session.get(SelfAssessment, (engineer.id, competency_id))
        if row is None:
            db.session.add(
                SelfAssessment(user_id=engineer.id, competency_id=competency_id, level=level)
            )
        elif row.level != level:
            row.level = level
    db.session.flush()
