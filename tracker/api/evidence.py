"""Recording evidence over the API, and verifying it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask_smorest import Blueprint, abort
from marshmallow import RAISE, Schema, fields, validate

from tracker.access import can_see_engineer, manages
from tracker.api.auth import api_user
from tracker.emails import normalise
from tracker.extensions import db
from tracker.models import Evidence, Module, User
from tracker.operations import (
    CompletionInput,
    RecordError,
    decide,
    record_attempt,
    record_completion,
)

bp = Blueprint(
    "api_evidence",
    __name__,
    url_prefix="/api/v1",
    description="Completions, assessment attempts and their verification.",
)


class Strict(Schema):
    class Meta:
        unknown = RAISE


class CompletionIn(Strict):
    engineer = fields.String(required=True, metadata={"description": "The engineer's email."})
    module = fields.String(required=True, metadata={"description": "A module key."})
    completed_on = fields.Date(required=True)
    hours = fields.Float(validate=validate.Range(min=0, max=1000))
    evidence_url = fields.String(load_default="", validate=validate.Length(max=500))
    notes = fields.String(load_default="", validate=validate.Length(max=5000))


class AttemptIn(Strict):
    engineer = fields.String(required=True)
    module = fields.String(required=True)
    taken_on = fields.Date(required=True)
    score = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100))


class DecisionIn(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(["verified", "rejected"]))
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class EvidenceOut(Schema):
    id = fields.Integer(required=True)
    engineer = fields.String(required=True)
    module = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": ["completion", "attempt"]})
    date = fields.String(required=True)
    score = fields.Integer()
    passed = fields.Boolean()
    status = fields.String(
        required=True, metadata={"enum": ["valid", "pending", "verified", "rejected", "withdrawn"]}
    )


def evidence_json(evidence: Evidence, engineer: User, module: Module) -> dict[str, Any]:
    """Return a piece of evidence in the API's record shape."""
    out: dict[str, Any] = {
        "id": evidence.id,
        "engineer": engineer.email,
        "module": module.key,
        "kind": evidence.kind.value,
        "date": evidence.date.isoformat(),
        "status": evidence.status.value,
    }
    if evidence.score is not None:
        out.update(score=evidence.score, passed=evidence.passed)
    return out


def _subject(email: str, module_key: str) -> tuple[User, Module]:
    """The engineer the caller may record for, and the module; 404 or 403 otherwise."""
    caller = api_user()
    engineer = db.session.scalar(db.select(User).where(User.email == normalise(email)))
    if engineer is None or not can_see_engineer(caller, engineer):
        abort(404, message=f"There is no engineer {email!r} you can see.")
    if caller.id != engineer.id and not manages(caller, engineer):
        abort(403, message="Only the engineer or their manager may record their evidence.")
    module = db.session.scalar(db.select(Module).where(Module.key == module_key))
    if module is None:
        abort(404, message=f"There is no module {module_key!r}.")
    return engineer, module


def _saved(evidence_fn, engineer: User, module: Module) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    try:
        evidence = evidence_fn()
    except RecordError as error:
        db.session.rollback()
        abort(422, message="The request has invalid fields.", errors=error.fields)
    db.session.commit()
    return evidence_json(evidence, engineer, module)


@bp.route("/completions", methods=["POST"])
@bp.arguments(CompletionIn)
@bp.response(201, EvidenceOut)
def post_completion(data: dict[str, Any]) -> dict[str, Any]:
    """Record a completion (the engineer, or their manager)."""
    engineer, module = _subject(data["engineer"], data["module"])
    hours = data.get("hours")
    entry = CompletionInput(
        data["completed_on"],
        None if hours is None else Decimal(str(round(hours, 1))),
        data["evidence_url"],
        data["notes"],
    )
    return _saved(
        lambda: record_completion(engineer, module, entry, api_user(), date.today(), source="api"),
        engineer,
        module,
    )


@bp.route("/assessment-attempts", methods=["POST"])
@bp.arguments(AttemptIn)
@bp.response(201, EvidenceOut)
def post_attempt(data: dict[str, Any]) -> dict[str, Any]:
    """Record an assessment attempt (the engineer, or their manager); scored on the pass mark."""
    engineer, module = _subject(data["engineer"], data["module"])
    return _saved(
        lambda: record_attempt(
            engineer,
            module,
            data["taken_on"],
            data["score"],
            api_user(),
            date.today(),
            source="api",
        ),
        engineer,
        module,
    )


@bp.route("/evidence/<int:evidence_id>/verification", methods=["POST"])
@bp.arguments(DecisionIn)
@bp.response(200, EvidenceOut)
def post_verification(data: dict[str, Any], evidence_id: int) -> dict[str, Any]:
    """Verify or reject pending evidence (the engineer's manager; never one's own)."""
    caller = api_user()
    evidence = db.session.get(Evidence, evidence_id)
    engineer = db.session.get(User, evidence.user_id) if evidence else None
    if evidence is None or engineer is None or not can_see_engineer(caller, engineer):
        abort(404, message=f"There is no evidence {evidence_id} you can see.")
    if engineer.id == caller.id or not manages(caller, engineer):
        abort(403, message="Only the engineer's manager may decide their evidence.")
    module = db.session.get(Module, evidence.module_id)
    return _saved(
        lambda: (
            decide(evidence, caller, data["decision"] == "verified", data["reason"]),
            evidence,
        )[1],
        engineer,
        module,
    )
