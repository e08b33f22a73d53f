"""An engineer's progress over the API: readiness per role with gaps, paths, evidence."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields, validates

from tracker import policy
from tracker.api.auth import api_user
from tracker.api.responses import errors
from tracker.api.schemas import ProgressSchema
from tracker.api.shapes import progress_json
from tracker.clock import today
from tracker.reads.evidence import evidence_people
from tracker.reads.progress import progress_of

bp = Blueprint(
    "api_progress", __name__, url_prefix="/api/v1", description="Engineers' progress and readiness."
)


class AsOfSchema(Schema):
    as_of = fields.Date(
        load_default=None,
        metadata={"description": "The date the figures are computed for (default: today)."},
    )

    @validates("as_of")
    def not_in_the_future(self, value: date | None, **_: object) -> None:
        if value is not None and value > today():
            raise ValidationError("cannot be in the future")


@bp.route("/engineers/<email>/progress")
@bp.arguments(AsOfSchema, location="query", unknown=RAISE)
@bp.response(200, ProgressSchema)
@errors(bp, {404: "No engineer with this email that the caller may see."})
def engineer_progress(args: dict[str, Any], email: str) -> dict[str, Any]:
    """An engineer's progress (self, their manager, L&D).

    Demonstrated and claimed levels, readiness for every target role with its gaps, the
    enrolled paths with their next step and status, and the evidence — as of `as_of`.
    Someone you may not see answers 404, as if they did not exist.
    """
    engineer = policy.visible_engineer(api_user(), email=email)
    progress = progress_of(engineer.id, args["as_of"] or today())
    people = evidence_people(engineer.id, progress.as_of)
    return progress_json(engineer.email, engineer.name, progress, people)
