"""The catalogue over the API: read it by key; L&D replace-by-key it as the catalogue file."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint, abort
from marshmallow import RAISE, Schema, fields, validate

from tracker import policy
from tracker.api.auth import api_allowed_by
from tracker.api.catalogue_file import CatalogueFileSchema
from tracker.api.pagination import ListArgsSchema, list_schema
from tracker.api.responses import errors
from tracker.api.schemas import one_of
from tracker.catalogue.document import Document
from tracker.catalogue.exporter import export_data
from tracker.catalogue.service import import_document
from tracker.catalogue.validate import SECTIONS, CatalogueError
from tracker.extensions import db
from tracker.limits import CATALOGUE_MAX_BYTES, describe_bytes, size_problem
from tracker.models import AssessmentKind, Family

bp = Blueprint(
    "api_catalogue",
    __name__,
    url_prefix="/api/v1",
    description="The catalogue: competencies, target roles, modules and learning paths, by key.",
)


FAMILY = one_of(Family)


class RequirementSchema(Schema):
    competency = fields.String(required=True, metadata={"description": "A competency key."})
    level = fields.Integer(required=True, validate=validate.Range(1, 4))
    weight = fields.Integer(required=True, validate=validate.Range(min=1))


class OutcomeSchema(Schema):
    competency = fields.String(required=True, metadata={"description": "A competency key."})
    level = fields.Integer(required=True, validate=validate.Range(1, 4))


class CompetencySchema(Schema):
    key = fields.String(required=True)
    name = fields.String(required=True)
    family = fields.String(required=True, metadata=FAMILY)
    description = fields.String(required=True)


class RoleSchema(CompetencySchema):
    requires = fields.List(fields.Nested(RequirementSchema), required=True)


class AssessmentSchema(Schema):
    kind = fields.String(required=True, metadata=one_of(AssessmentKind))
    pass_mark = fields.Integer(required=True, validate=validate.Range(0, 100))


class ModuleSchema(Schema):
    key = fields.String(required=True)
    title = fields.String(required=True)
    url = fields.String(required=True)
    hours = fields.Float(required=True)
    xapi_activity = fields.String()
    requires_verification = fields.Boolean()
    develops = fields.List(fields.Nested(OutcomeSchema), required=True)
    assessment = fields.Nested(AssessmentSchema)


class PathSchema(Schema):
    key = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True, metadata={"description": "A target role key."})
    description = fields.String(required=True)
    modules = fields.List(fields.String(), required=True, metadata={"description": "In order."})
    prerequisites = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        required=True,
        metadata={"description": "Module key -> the module keys it requires."},
    )


class SectionReportSchema(Schema):
    added = fields.List(fields.String(), required=True, metadata={"description": "Keys added."})
    changed = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        required=True,
        metadata={"description": "Key -> the fields that changed."},
    )
    unchanged = fields.Integer(required=True)


ImportReportSchema = Schema.from_dict(
    {section: fields.Nested(SectionReportSchema, required=True) for section in SECTIONS},
    name="ImportReportSchema",
)


class DryRunSchema(Schema):
    dry_run = fields.Boolean(load_default=False)


class ImportResultSchema(Schema):
    dry_run = fields.Boolean(required=True)
    report = fields.Nested(
        ImportReportSchema,
        required=True,
        metadata={"description": "Per section: keys added, keys changed, count unchanged."},
    )


def _page(section: str, args: dict[str, int]) -> dict[str, Any]:
    items = export_data()[section]
    return {"items": items[args["offset"] : args["offset"] + args["limit"]], "total": len(items)}


def _list_route(section: str, schema: type[Schema], summary: str) -> None:
    page_schema = list_schema(schema, f"{schema.__name__.removesuffix('Schema')}ListSchema")

    def view(args: dict[str, int]) -> dict[str, Any]:
        return _page(section, args)

    view.__name__ = f"list_{section}"
    view.__doc__ = f"{summary}\n\nLive (not archived) items, in the order they were created."
    bp.route(f"/{section}")(
        bp.arguments(ListArgsSchema, location="query", unknown=RAISE)(
            bp.response(200, page_schema)(view)
        )
    )


_list_route("competencies", CompetencySchema, "Competencies.")
_list_route("roles", RoleSchema, "Target roles with their requirements.")
_list_route("modules", ModuleSchema, "Modules with their outcomes and assessment.")
_list_route("paths", PathSchema, "Learning paths with their modules and prerequisites.")


@bp.route("/paths/<key>")
@bp.response(200, PathSchema)
@errors(bp, {404: "No live learning path with this key."})
def get_path(key: str) -> dict[str, Any]:
    """One learning path, by key."""
    for path in export_data()["paths"]:
        if path["key"] == key:
            return path
    abort(404, message=f"There is no learning path {key!r}.")
    raise AssertionError("unreachable")


@bp.route("/catalog", methods=["PUT"])
@api_allowed_by(policy.may_edit_catalogue)
@bp.arguments(DryRunSchema, location="query", unknown=RAISE)
@bp.response(200, ImportResultSchema)
@errors(
    bp,
    {
        403: "Only L&D (and admins) may import the catalogue.",
        413: f"The body is larger than {describe_bytes(CATALOGUE_MAX_BYTES)}, the limit.",
    },
)
@bp.doc(
    requestBody={
        "required": True,
        "description": "The catalogue file, as JSON; checked by the catalogue's own rules "
        "(every problem answers 422, named by line and field).",
        "content": {"application/json": {"schema": CatalogueFileSchema}},
    }
)
def put_catalog(args: dict[str, bool]) -> dict[str, Any]:
    """Import the catalogue file (L&D).

    Same rules as `flask catalog import`: an upsert by key, all or nothing; `?dry_run=1`
    reports what would change and changes nothing. Problems answer 422 naming each field.
    """
    request.max_content_length = CATALOGUE_MAX_BYTES  # a body without a length stops there
    problem = size_problem(request.content_length or 0, CATALOGUE_MAX_BYTES, "The catalogue file")
    if problem:
        abort(413, message=f"{problem}; nothing was imported.")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, message="The body must be the catalogue file as a JSON object.")
    try:
        report = import_document(Document(data), source="api")
    except CatalogueError as error:
        db.session.rollback()
        fields_ = dict(
            line.split(": ", 1) if ": " in line else ("_", line) for line in reversed(error.errors)
        )
        abort(422, message=f"{error}; nothing was imported.", errors=fields_)
    if args["dry_run"]:
        db.session.rollback()
    else:
        db.session.commit()
    return {"dry_run": args["dry_run"], "report": report.as_dict()}
