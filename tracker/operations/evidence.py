"""Writes for evidence: record a completion or an attempt, decide it, withdraw it.

Each function checks the rules that make a record valid and raises RecordError naming the
field; the caller (a view, the API) asks the policy who may call it and commits once.
Add and flush; never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tracker import audit, policy
from tracker.extensions import db
from tracker.models import (
    AssessmentKind,
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    Module,
    Notification,
    User,
    utcnow,
)
from tracker.operations.errors import RecordError

ON_THE_PAGE = "web"  # page-only rules; the API and xAPI keep their documented contracts
REPORTED_BY_PLATFORM = "xapi"


class FourEyes(RecordError):
    """The subject or the recorder of evidence tried to decide it."""


@dataclass(frozen=True)
class CompletionInput:
    """What a person enters for a completion."""

    completed_on: date
    hours: Decimal | None = None
    evidence_url: str = ""
    notes: str = ""


@dataclass(frozen=True)
class AttemptInput:
    """What a person enters for an assessment attempt."""

    taken_on: date
    score: int
    hours: Decimal | None = None
    evidence_url: str = ""
    notes: str = ""


def _check_common(
    module: Module, on: date, today: date, url: str, hours: Decimal | None
) -> dict[str, str]:
    errors = {}
    if module.archived_at is not None:
        errors["module"] = "This module is archived."
    if on > today:
        errors["date"] = "The date cannot be in the future."
    if url and not url.lower().startswith(("http://", "https://")):
        errors["evidence_url"] = "The evidence link must start with http:// or https://."
    if hours is not None and not (0 <= hours <= 1000):
        errors["hours"] = "Hours must be between 0 and 1000."
    return errors


def record_completion(
    engineer: User,
    module: Module,
    data: CompletionInput,
    by: User,
    today: date,
    source: str = ON_THE_PAGE,
) -> Evidence:
    """Add a completion; pending when the module requires verification, valid otherwise.

    Logged on the page, the same completion twice (same module and day, not withdrawn or
    rejected) is refused: it would add nothing to readiness and count twice in the module's
    figures. (The API and xAPI keep their documented contracts.)
    """
    evidence = new_completion(engineer.id, module, data, by.id, today, source)
    already = source == ON_THE_PAGE and db.session.scalar(
        db.select(Evidence.id).where(
            Evidence.user_id == engineer.id,
            Evidence.module_id == module.id,
            Evidence.kind == EvidenceKind.COMPLETION,
            Evidence.date == evidence.date,
            Evidence.status.not_in([EvidenceStatus.WITHDRAWN, EvidenceStatus.REJECTED]),
        )
    )
    if already:
        day = evidence.date.isoformat()
        raise RecordError({"date": f"A completion of this module on {day} is already recorded."})
    return _added(evidence, f"{engineer.email} completion {module.key}", by)


def record_attempt(
    engineer: User,
    module: Module,
    data: AttemptInput,
    by: User,
    today: date,
    source: str = ON_THE_PAGE,
) -> Evidence:
    """Add an assessment attempt, passed against the pass mark in force now.

    A passed project or review attempt waits for a manager's verification.
    """
    evidence = new_attempt(engineer.id, module, data, by.id, today, source)
    what = f"{engineer.email} attempt {module.key} score={evidence.score}"
    return _added(evidence, what, by)


def new_completion(
    engineer_id: int,
    module: Module,
    data: CompletionInput,
    recorded_by_id: int | None,
    today: date,
    source: str,
) -> Evidence:
    """A checked, unsaved completion (RecordError naming each field that breaks a rule).

    `recorded_by_id` is None when an integration, not a person, reported it.
    """
    errors = _check_common(module, data.completed_on, today, data.evidence_url, data.hours)
    if errors:
        raise RecordError(errors)
    status = EvidenceStatus.PENDING if module.requires_verification else EvidenceStatus.VALID
    return Evidence(
        user_id=engineer_id,
        module_id=module.id,
        kind=EvidenceKind.COMPLETION,
        date=data.completed_on,
        hours=data.hours,
        evidence_url=data.evidence_url.strip(),
        notes=data.notes.strip(),
        status=status,
        source=source,
        recorded_by_id=recorded_by_id,
    )


def new_attempt(
    engineer_id: int,
    module: Module,
    data: AttemptInput,
    recorded_by_id: int | None,
    today: date,
    source: str,
) -> Evidence:
    """A checked, unsaved attempt, passed against the pass mark in force now."""
    score = data.score
    errors = _check_common(module, data.taken_on, today, data.evidence_url, data.hours)
    if module.assessment_kind is None:
        errors["module"] = "This module has no assessment: log a completion instead."
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
        errors["score"] = "The score must be a whole number from 0 to 100."
    elif module.assessment_kind is not None:
        passed = score >= (module.pass_mark or 0)
        needs_review = passed and module.assessment_kind is not AssessmentKind.QUIZ
        if needs_review and not data.evidence_url.strip() and source == ON_THE_PAGE:
            errors["evidence_url"] = (
                "Add a link to the work (a repository, notebook or report): a manager "
                "verifies a passed project or review from it."
            )
    if errors:
        raise RecordError(errors)
    return Evidence(
        user_id=engineer_id,
        module_id=module.id,
        kind=EvidenceKind.ATTEMPT,
        date=data.taken_on,
        hours=data.hours,
        notes=data.notes.strip(),
        score=score,
        passed=passed,
        status=EvidenceStatus.PENDING if needs_review else EvidenceStatus.VALID,
        evidence_url=data.evidence_url.strip(),
        source=source,
        recorded_by_id=recorded_by_id,
    )


def _added(evidence: Evidence, what: str, by: User) -> Evidence:
    """Add and flush new evidence, and audit who recorded what."""
    db.session.add(evidence)
    db.session.flush()
    detail = f"{what} {evidence.status.value}"
    audit.record("evidence.recorded", f"evidence {evidence.id}", detail, actor=by)
    return evidence


def decide(evidence: Evidence, manager: User, verified: bool, reason: str = "") -> None:
    """Verify or reject pending evidence, tell its owner, and audit it.

    Four eyes, whoever calls: the subject and the recorder never decide (the policy says which
    managers, or L&D, may).
    """
    if policy.is_party(manager.id, evidence.user_id, evidence.recorded_by_id):
        raise FourEyes(
            {"decision": "Someone else must decide this: you recorded it or it is yours."}
        )
    if evidence.status is not EvidenceStatus.PENDING:
        raise RecordError({"decision": f"This evidence is already {evidence.status.value}."})
    if not verified and not reason.strip():
        raise RecordError({"reason": "Say why the evidence is rejected."})
    evidence.status = EvidenceStatus.VERIFIED if verified else EvidenceStatus.REJECTED
    evidence.decided_by_id, evidence.decided_at = manager.id, utcnow()
    evidence.decision_reason = reason.strip()
    word = "verified" if verified else "rejected"
    why = f": {reason.strip()}" if not verified else ""
    title = db.session.scalar(db.select(Module.title).where(Module.id == evidence.module_id))
    what = "attempt at" if evidence.kind is EvidenceKind.ATTEMPT else "completion of"
    db.session.add(
        Notification(
            user_id=evidence.user_id,
            message=f"{manager.name} {word} your {what} {title} ({evidence.date}){why}",
        )
    )
    audit.record(f"evidence.{word}", f"evidence {evidence.id}", reason.strip(), actor=manager)


def withdraw(evidence: Evidence, owner: User) -> None:
    """Take back one's own pending evidence; the record stays, marked withdrawn."""
    if evidence.status is not EvidenceStatus.PENDING:
        raise RecordError({"status": "Only evidence that waits for verification can be withdrawn."})
    evidence.status = EvidenceStatus.WITHDRAWN
    audit.record("evidence.withdrawn", f"evidence {evidence.id}", actor=owner)
