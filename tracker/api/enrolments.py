"""Enrolling engineers on learning paths over the API (assigning, when someone else does it)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint, abort
from marshmallow import RAISE, Schema, fields

from tracker import policy
from tracker.api.auth import api_user
from tracker.api.inputs import Text
from tracker.api.responses import errors
from tracker.clock import today
from tracker.extensions import db
from tracker.models import LearningPath
from tracker.operations import AlreadyEnrolled, RecordError, enrol

bp = Blueprint(
    "api_enrolments",
    __name__,
    url_prefix="/api/v1",
    description="Enrolments and assignments of learning paths.",
)


class EnrolmentIn(Schema):
    class Meta:
        unknown = RAISE

    engineer = Text(required=True, metadata={"description": "The engineer's email."})
    path = Text(required=True, metadata={"description": "A learning path key."})
    due_on = fields.Date(load_default=None)


class EnrolmentOut(Schema):
    id = fields.Integer(required=True)
    engineer = fields.Email(required=True)
    path = fields.String(required=True, metadata={"description": "The learning path's key."})
    assigned_by = fields.Email(
        required=True, allow_none=True, metadata={"description": "None when self-enrolled."}
    )
    due_on = fields.Date(required=True, allow_none=True)


@bp.route("/enrolments", methods=["POST"])
@bp.arguments(EnrolmentIn)
@bp.response(201, EnrolmentOut)
@errors(
    bp,
    {
        403: "The caller may see the engineer but not put them on a path.",
        404: "No engineer with this email that the caller may see, or no path with this key.",
        409: "The engineer is already on this path.",
    },
)
def post_enrolment(data: dict[str, Any]) -> dict[str, Any]:
    """Enrol an engineer on a path (self), or assign it (their manager, L&D); 409 if on it."""
    caller = api_user()
    engineer = policy.visible_engineer(caller, email=data["engineer"])
    policy.require(
        policy.may_assign(caller, engineer),
        "Only the engineer, their manager or L&D may enrol them.",
    )
    path = db.session.scalar(db.select(LearningPath).where(LearningPath.key == data["path"]))
    if path is None:
        abort(404, message=f"There is no learning path {data['path']!r}.")
    try:
        enrolment = enrol(engineer, path, caller, data["due_on"], today())
    except AlreadyEnrolled as error:
        db.session.rollback()
        abort(409, message=str(error), errors=error.fields)
    except RecordError as error:
        db.session.rollback()
        abort(422, message="The request has invalid fields.", errors=error.fields)
    db.session.commit()
    return {
        "id": enrolment.id,
        "engineer": engineer.email,
        "path": path.key,
        "assigned_by": caller.email if enrolment.assigned_by_id else None,
        "due_on": enrolment.due_on,
    }
