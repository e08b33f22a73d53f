"""Lists in the API: `?limit=&offset=` in, `{"items": [...], "total": N}` out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import Select, func, select

from tracker.extensions import db

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 1_000_000_000  # keeps the value inside every database's integer range


class ListArgsSchema(Schema):
    """The paging query parameters; subclass it to add a list's own filters.

    Use it as `@bp.arguments(ListArgsSchema, location="query", unknown=RAISE)` so a misspelt
    parameter is refused by name instead of silently ignored.
    """

    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"How many items to return (1–{MAX_LIMIT})."},
    )
    offset = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=MAX_OFFSET),
        metadata={"description": "How many items to skip."},
    )


def list_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    """Return a schema `{"items": [item_schema], "total": int}` named `name` in the spec."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "total": fields.Integer(
                required=True, metadata={"description": "How many items match, in all."}
            ),
        },
        name=name,
    )


def paginate(query: Select[Any], args: Mapping[str, int]) -> dict[str, Any]:
    """Return one page of an ordered entity `query` and the number of rows it matches in all."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = db.session.scalars(query.limit(args["limit"]).offset(args["offset"])).all()
    return {"items": items, "total": total or 0}
