"""Recording evidence over the API, and verifying it (four eyes)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask_smorest import Blueprint, abort
from marshmallow import RAISE, Schema, fields, validate

from tracker import policy
from tracker.api.auth import api_user
from tracker.api.inputs import Text
from tracker.api.responses import errors
from tracker.api.schemas import EvidenceSchema
from tracker.api.shapes import evidence_json
from tracker.clock import today
from tracker.extensions import db
from tracker.models import Evidence, Module, User
from tracker.operations import (
    AttemptInput,
    CompletionInput,
    RecordError,
    decide,
    record_attempt,
    record_completion,
)
from tracker.routing import MAX_ID

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
    engineer = Text(required=True, metadata={"description": "The engineer's email."})
    module = Text(required=True, metadata={"description": "A module key."})
    completed_on = fields.Date(required=True)
    hours = fields.Float(validate=validate.Range(min=0, max=1000))
    evidence_url = Text(load_default="", validate=validate.Length(max=500))
    notes = Text(load_default="", validate=validate.Length(max=5000))


class AttemptIn(Strict):
    engineer = Text(required=True, metadata={"description": "The engineer's email."})
    module = Text(required=True, metadata={"description": "A module key."})
    taken_on = fields.Date(required=True)
    score = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100))
    hours = fields.Float(validate=validate.Range(min=0, max=1000))
    evidence_url = Text(load_default="", validate=validate.Length(max=500))
    notes = Text(load_default="", validate=validate.Length(max=5000))


class DecisionIn(Strict):
    decision = Text(required=True, validate=validate.OneOf(["verified", "rejected"]))
    reason = Text(load_default="", validate=validate.Length(max=2000))


def _hours(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 1)))


def _subject(email: str, module_key: str) -> tuple[User, Module]:
    """The engineer the caller may record for, and the module; 404 or 403 otherwise."""
    caller = api_user()
    engineer = policy.visible_engineer(caller, email=email)
    policy.require(
        policy.may_record_for(caller, engineer),
        "Only the engineer or their manager may record their evidence.",
    )
    module = db.session.scalar(db.select(Module).where(Module.key == module_key))
    if module is None:
        abort(404, message=f"There is no module {module_key!r}.")
    return engineer, module


def _email(user_id: int | None) -> str | None:
    return db.session.scalar(db.select(User.email).where(User.id == user_id)) if user_id else None


def _saved(write: Callable[[], Evidence], engineer: User, module: Module) -> dict[str, Any]:
    try:
        evidence = write()
    except RecordError as error:
        db.session.rollback()
        abort(422, message="The request has invalid fields.", errors=error.fields)
    db.session.commit()
    return evidence_json(
        evidence,
        engineer.email,
        module.key,
        _email(evidence.recorded_by_id),
        _email(evidence.decided_by_id),
    )


RECORDING = {
    403: "The caller is neither the engineer nor their manager.",
    404: "No engineer with this email that the caller may see, or no module with this key.",
}


@bp.route("/completions", methods=["POST"])
@bp.arguments(CompletionIn)
@bp.response(201, EvidenceSchema)
@errors(bp, RECORDING)
def post_completion(data: dict[str, Any]) -> dict[str, Any]:
    """Record a completion (the engineer, or their manager)."""
    engineer, module = _subject(data["engineer"], data["module"])
    entry = CompletionInput(
        data["completed_on"], _hours(data.get("hours")), data["evidence_url"], data["notes"]
    )
    return _saved(
        lambda: record_completion(engineer, module, entry, api_user(), today(), source="api"),
        engineer,
        module,
    )


@bp.route("/assessment-attempts", methods=["POST"])
@bp.arguments(AttemptIn)
@bp.response(201, EvidenceSchema)
@errors(bp, RECORDING)
def post_attempt(data: dict[str, Any]) -> dict[str, Any]:
    """Record an assessment attempt (the engineer, or their manager); scored on the pass mark."""
    engineer, module = _subject(data["engineer"], data["module"])
    attempt = AttemptInput(
        data["taken_on"],
        data["score"],
        _hours(data.get("hours")),
        data["evidence_url"],
        data["notes"],
    )
    return _saved(
        lambda: record_attempt(engineer, module, attempt, api_user(), today(), source="api"),
        engineer,
        module,
    )


@bp.route(f"/evidence/<int(max={MAX_ID}):evidence_id>/verification", methods=["POST"])
@bp.arguments(DecisionIn)
@bp.response(200, EvidenceSchema)
@errors(
    bp,
    {
        403: "Four eyes: the caller may see the evidence but may not decide it.",
        404: "No evidence with this id that the caller may see.",
    },
)
def post_verification(data: dict[str, Any], evidence_id: int) -> dict[str, Any]:
    """Verify or reject pending evidence (four eyes: never its subject nor who recorded it)."""
    caller = api_user()
    evidence = db.session.get(Evidence, evidence_id)
    engineer = db.session.get(User, evidence.user_id) if evidence else None
    if evidence is None or engineer is None or not policy.may_see_engineer(caller, engineer):
        abort(404, message=f"There is no evidence {evidence_id} you can see.")
    who = policy.deciders_of(engineer, evidence.recorded_by_id)
    policy.require(
        policy.may_decide(caller, engineer.id, evidence.recorded_by_id, who),
        "Four eyes: evidence is decided by a manager of the engineer's team who neither "
        "recorded it nor is its subject (or by L&D where no such manager exists).",
    )
    module = db.session.get_one(Module, evidence.module_id)

    def write() -> Evidence:
        decide(evidence, caller, data["decision"] == "verified", data["reason"])
        return evidence

    return _saved(write, engineer, module)
