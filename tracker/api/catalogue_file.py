"""The catalogue file as the API receives it (`PUT /api/v1/catalog`), for the document.

The catalogue's own validator (tracker.catalogue.validate, shared with `flask catalog import`)
checks the file and names every problem; these schemas state the same rules for callers:
required and optional fields per section, types, enums, key shape and lengths.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from tracker.catalogue.validate import FAMILIES, KINDS, SLUG

KEY = fields.String(
    required=True,
    validate=validate.Length(max=80),
    metadata={"pattern": SLUG.pattern, "description": "Lower-case words joined by -."},
)
FAMILY = {"enum": list(FAMILIES)}


def _text(limit: int, required: bool = False) -> fields.String:
    """Text of at most `limit` characters; an optional one may be null (left empty)."""
    return fields.String(
        required=required, allow_none=not required, validate=validate.Length(max=limit)
    )


class FileRequirementSchema(Schema):
    competency = fields.String(required=True, metadata={"description": "A competency key."})
    level = fields.Integer(required=True, validate=validate.Range(1, 4))
    weight = fields.Integer(validate=validate.Range(min=1), metadata={"default": 1})


class FileOutcomeSchema(Schema):
    competency = fields.String(required=True, metadata={"description": "A competency key."})
    level = fields.Integer(required=True, validate=validate.Range(1, 4))


class FileCompetencySchema(Schema):
    key = KEY
    name = _text(160, required=True)
    family = fields.String(required=True, metadata=FAMILY)
    description = _text(5000)


class FileRoleSchema(Schema):
    key = KEY
    name = _text(160, required=True)
    family = fields.String(required=True, metadata=FAMILY)
    description = _text(5000)
    requires = fields.List(fields.Nested(FileRequirementSchema), allow_none=True)


class FileAssessmentSchema(Schema):
    kind = fields.String(required=True, metadata={"enum": list(KINDS)})
    pass_mark = fields.Integer(required=True, validate=validate.Range(0, 100))


class FileModuleSchema(Schema):
    key = KEY
    title = _text(200, required=True)
    url = _text(500)
    hours = fields.Float(validate=validate.Range(0, 10000))
    xapi_activity = _text(500)
    requires_verification = fields.Boolean()
    develops = fields.List(fields.Nested(FileOutcomeSchema), allow_none=True)
    assessment = fields.Nested(FileAssessmentSchema, allow_none=True)


class FilePathSchema(Schema):
    key = KEY
    name = _text(200, required=True)
    role = fields.String(required=True, metadata={"description": "A target role key."})
    description = _text(5000)
    modules = fields.List(
        fields.String(), allow_none=True, metadata={"description": "Module keys, in order."}
    )
    prerequisites = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        allow_none=True,
        metadata={"description": "Module key -> the module keys it requires."},
    )


class CatalogueFileSchema(Schema):
    """The catalogue file: `version: 1` and any of the four sections (upsert by key)."""

    version = fields.Integer(required=True, metadata={"enum": [1]})
    # A section left empty (`roles:` in YAML) is null: it changes nothing.
    competencies = fields.List(fields.Nested(FileCompetencySchema), allow_none=True)
    roles = fields.List(fields.Nested(FileRoleSchema), allow_none=True)
    modules = fields.List(fields.Nested(FileModuleSchema), allow_none=True)
    paths = fields.List(fields.Nested(FilePathSchema), allow_none=True)
