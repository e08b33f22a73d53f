"""The OpenAPI document, generated from the code; the only API route open without a token."""

from __future__ import annotations

from flask import Response, jsonify
from flask_smorest import Blueprint, current_api

from tracker.api.auth import public

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1", description="This document.")

_DOCUMENT = {
    "description": "The OpenAPI 3 document describing every route of this API.",
    "content": {"application/json": {"schema": {"type": "object"}}},
}


@bp.route("/openapi.json")
@bp.doc(security=[], responses={"200": _DOCUMENT})
@public
def openapi_json() -> Response:
    """The OpenAPI document.

    No token needed.
    """
    return jsonify(current_api.spec.to_dict())
