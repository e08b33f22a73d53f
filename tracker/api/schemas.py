"""Marshmallow schemas of the API: the error envelope and the caller's own records."""

from __future__ import annotations

from marshmallow import Schema, fields


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

    email = fields.String(required=True)
    name = fields.String(required=True)
    roles = fields.List(
        fields.String(metadata={"enum": ["engineer", "manager", "ld", "admin"]}), required=True
    )
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
