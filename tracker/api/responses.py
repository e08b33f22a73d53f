"""What API routes answer besides success, documented in the JSON error shape.

Every error the API sends is `{"error": {"code", "message", "fields"}}` (tracker.errors). The
document lists, for each operation, exactly the statuses it may answer: the `SharedErrors`
plugin adds those every route shares (401 and 503 unless the route is open; 400 and 413 where
it reads a JSON body), flask-smorest adds 422 where a route reads arguments, and a route names its
own with `errors(bp, {403: "why", 404: "why"})`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from apispec import BasePlugin
from flask_smorest import Blueprint

from tracker.api.schemas import ErrorSchema

F = TypeVar("F", bound=Callable[..., Any])

ERROR_REF = {"$ref": "#/components/schemas/Error"}

UNAUTHORIZED = {
    "description": "No token, a malformed Authorization header, or a token that is unknown, "
    "revoked or whose owner is deactivated.",
    "headers": {
        "WWW-Authenticate": {
            "description": 'The Bearer challenge, e.g. `Bearer realm="tracker", '
            'error="invalid_token"`.',
            "schema": {"type": "string"},
        }
    },
    "content": {"application/json": {"schema": ERROR_REF}},
}
BAD_REQUEST = {
    "description": "The body is not well-formed JSON, or its arrays and objects nest deeper "
    "or are more than the limits allow (the message names the limit).",
    "content": {"application/json": {"schema": ERROR_REF}},
}
UNAVAILABLE = {
    "description": "The database cannot be reached for a moment; try again after Retry-After "
    "seconds. The app reconnects by itself.",
    "headers": {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}},
    "content": {"application/json": {"schema": ERROR_REF}},
}
TOO_LARGE = {
    "description": "The body is larger than the server accepts (MAX_CONTENT_LENGTH).",
    "content": {"application/json": {"schema": ERROR_REF}},
}


class SharedErrors(BasePlugin):
    """Document 401 and 503 where a token is needed (it is looked up in the database), and 400
    and 413 where a route reads a body."""

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            if operation.get("security") != []:
                responses.setdefault("401", UNAUTHORIZED)
                responses.setdefault("503", UNAVAILABLE)
            if "requestBody" in operation:
                responses.setdefault("400", BAD_REQUEST)
                responses.setdefault("413", TOO_LARGE)


def errors(bp: Blueprint, reasons: dict[int, str]) -> Callable[[F], F]:
    """Document that a view may answer each status in `reasons` (status -> why) as an error."""

    def decorator(view: F) -> F:
        for status, why in sorted(reasons.items(), reverse=True):
            view = bp.alt_response(status, schema=ErrorSchema, description=why)(view)
        return view

    return decorator
