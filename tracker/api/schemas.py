"""Marshmallow schemas of the API's answers: each serialises an answer and documents it.

Answers are dumped through these schemas (`@bp.response(200, Schema)`), so the OpenAPI
document is generated from the code that writes the JSON. Marshmallow refuses unknown fields
by default, which the document states as `additionalProperties: false`.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from tracker.forecast import PathStatus
from tracker.models import EvidenceKind, EvidenceStatus, Role
from tracker.readiness import Band


def one_of(enum: type) -> dict[str, list[str]]:
    """Return the `enum` metadata of a text field holding one of `enum`'s values."""
    return {"enum": [member.value for member in enum]}


class ErrorBodySchema(Schema):
    """What went wrong: a machine-readable code, a sentence, and the bad fields by name."""

    code = fields.String(
        required=True, metadata={"description": "e.g. unauthorized, not_found, invalid"}
    )
    message = fields.String(required=True, metadata={"description": "A sentence for people."})
    bad_fields = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "Each invalid field, by name, with the reason."},
    )


class ErrorSchema(Schema):
    """Every API error: `{"error": {"code", "message", "fields"}}`."""

    error = fields.Nested(ErrorBodySchema, required=True)


class TeamRefSchema(Schema):
    """A team, by id and name."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)


class MeSchema(Schema):
    """The caller: who they are, their roles, their team and the teams they manage."""

    email = fields.Email(required=True)
    name = fields.String(required=True)
    roles = fields.List(fields.String(metadata=one_of(Role)), required=True)
    team = fields.Nested(TeamRefSchema, allow_none=True, required=True)
    manages = fields.List(fields.Nested(TeamRefSchema), required=True)


class TokenSchema(Schema):
    """One of the caller's API tokens; the secret itself is never shown again."""

    id = fields.Integer(required=True)
    label = fields.String(required=True)
    prefix = fields.String(
        required=True, metadata={"description": "The token's first characters, to recognise it."}
    )
    created_at = fields.AwareDateTime(required=True)
    last_used_at = fields.AwareDateTime(allow_none=True, required=True)
    revoked_at = fields.AwareDateTime(allow_none=True, required=True)


class EvidenceSchema(Schema):
    """A completion or an assessment attempt; people by email."""

    id = fields.Integer(required=True)
    engineer = fields.Email(required=True)
    module = fields.String(required=True, metadata={"description": "The module's key."})
    kind = fields.String(required=True, metadata=one_of(EvidenceKind))
    date = fields.Date(required=True)
    score = fields.Integer(metadata={"description": "Attempts only: the score, 0–100."})
    passed = fields.Boolean(metadata={"description": "Attempts only: at or above the pass mark."})
    status = fields.String(required=True, metadata=one_of(EvidenceStatus))
    recorded_by = fields.Email(
        required=True, allow_none=True, metadata={"description": "Who recorded it."}
    )
    decided_by = fields.Email(metadata={"description": "Who verified or rejected it."})
    decided_at = fields.AwareDateTime(metadata={"description": "When it was decided (UTC)."})


class PersonSchema(Schema):
    email = fields.Email(required=True)
    name = fields.String(required=True)


class LevelFiguresSchema(Schema):
    demonstrated = fields.Integer(required=True, metadata={"description": "Counts (0–4)."})
    claimed = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Shown, never counted."}
    )


class GapSchema(Schema):
    competency = fields.String(required=True)
    demonstrated = fields.Integer(required=True)
    required = fields.Integer(required=True)
    modules = fields.List(
        fields.String(), required=True, metadata={"description": "Modules that would close it."}
    )


class RoleReadinessSchema(Schema):
    role = fields.String(required=True, metadata={"description": "The target role's key."})
    readiness = fields.Float(required=True, metadata={"description": "Percent, 0–100."})
    band = fields.String(required=True, metadata=one_of(Band))
    projected_ready_on = fields.Date(required=True, allow_none=True)
    gaps = fields.List(fields.Nested(GapSchema), required=True)


class PathProgressSchema(Schema):
    path = fields.String(required=True, metadata={"description": "The learning path's key."})
    next = fields.String(required=True, allow_none=True, metadata={"description": "A module key."})
    done = fields.Integer(required=True)
    total = fields.Integer(required=True)
    assigned_by = fields.Email(required=True, allow_none=True)
    due_on = fields.Date(required=True, allow_none=True)
    status = fields.String(required=True, metadata=one_of(PathStatus))


class EvidenceItemSchema(Schema):
    """A piece of the engineer's evidence; people by email, as in `EvidenceSchema`."""

    id = fields.Integer(required=True)
    module = fields.String(required=True)
    kind = fields.String(required=True, metadata=one_of(EvidenceKind))
    date = fields.Date(required=True)
    status = fields.String(required=True, metadata=one_of(EvidenceStatus))
    recorded_by = fields.Email(
        required=True,
        allow_none=True,
        metadata={"description": "Who recorded it; null when an integration reported it."},
    )
    decided_by = fields.Email(metadata={"description": "Who verified or rejected it."})
    decided_at = fields.AwareDateTime(metadata={"description": "When it was decided (UTC)."})


class ProgressSchema(Schema):
    """An engineer's progress as of a date."""

    engineer = fields.Nested(PersonSchema, required=True)
    as_of = fields.Date(required=True)
    levels = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(LevelFiguresSchema),
        required=True,
        metadata={"description": "Per competency key: demonstrated and claimed level."},
    )
    roles = fields.List(
        fields.Nested(RoleReadinessSchema),
        required=True,
        metadata={"description": "Readiness per target role, highest first."},
    )
    paths = fields.List(fields.Nested(PathProgressSchema), required=True)
    evidence = fields.List(fields.Nested(EvidenceItemSchema), required=True)


class EngineerReadinessSchema(Schema):
    email = fields.Email(required=True)
    readiness = fields.Float(required=True, metadata={"description": "Percent, 0–100."})
    band = fields.String(required=True, metadata=one_of(Band))
    projected_ready_on = fields.Date(required=True, allow_none=True)


class TargetSchema(Schema):
    count = fields.Integer(required=True, metadata={"description": "Engineers wanted ready."})
    by = fields.Date(required=True)
    projected_ready = fields.Integer(required=True)
    gap = fields.Integer(
        required=True, metadata={"description": "Above zero: the number to hire or move."}
    )


BandCountsSchema = Schema.from_dict(
    {band.value: fields.Integer(required=True) for band in Band}, name="BandCountsSchema"
)


class TeamReadinessSchema(Schema):
    """A team's readiness for one role as of a date."""

    team = fields.Nested(TeamRefSchema, required=True)
    role = fields.String(required=True, metadata={"description": "The target role's key."})
    as_of = fields.Date(required=True)
    engineers = fields.List(fields.Nested(EngineerReadinessSchema), required=True)
    bands = fields.Nested(BandCountsSchema, required=True)
    targets = fields.List(
        fields.Nested(TargetSchema),
        required=True,
        metadata={"description": "Staffing targets for this role."},
    )
