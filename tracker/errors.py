"""Error handlers: HTML pages for the site, the JSON error shape for /api and /xapi."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import (
    Forbidden,
    HTTPException,
    InternalServerError,
    NotFound,
    ServiceUnavailable,
)

from tracker.audit import clean, keep_log_lines_whole
from tracker.extensions import db, login_manager
from tracker.policy import Denied

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5

JSON_PREFIXES = ("/api/", "/xapi/", "/healthz")


def wants_json() -> bool:
    """Return True when the request belongs to a JSON surface."""
    return request.path.startswith(JSON_PREFIXES)


def error_code(status: int) -> str:
    """Return the machine-readable code for an HTTP status, e.g. 404 -> "not_found"."""
    return {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "too_large",
        415: "unsupported_media_type",
        422: "invalid",
        429: "too_many_requests",
        503: "unavailable",
    }.get(status, "server_error")


def json_error(
    status: int, message: str, fields: dict[str, str] | None = None, code: str | None = None
) -> Response:
    """Return `{"error": {"code", "message", "fields"}}` with `status`."""
    body: dict[str, Any] = {"code": code or error_code(status), "message": message}
    if fields:
        body["fields"] = fields
    response = jsonify(error=body)
    response.status_code = status
    return response


def _fields_from(error: HTTPException) -> dict[str, str] | None:
    """Flatten webargs/marshmallow messages into {"field": "why"}."""
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    if not messages:
        return None
    flat: dict[str, str] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key in {"json", "query", "form", "headers", "view_args"} and not prefix:
                    walk("", inner)
                else:
                    walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list):
            flat[prefix or "_"] = "; ".join(str(v) for v in value)
        else:
            flat[prefix or "_"] = str(value)

    walk("", messages)
    return flat


def handle_http_exception(error: HTTPException) -> Response | tuple[str, int]:
    """Render an HTTP error as JSON or as a page."""
    status = error.code or 500
    if status >= 500:
        rollback_quietly()
    if status == 403:
        _audit_denial()
    if wants_json():
        data = getattr(error, "data", None) or {}
        message = data.get("message") or error.description or error.name
        if status == 422 and "message" not in data:
            message = "The request has invalid fields."
        response = json_error(status, message, _fields_from(error))
        for name, value in (data.get("headers") or {}).items():
            response.headers[name] = value
        if status == 401:
            response.headers.setdefault("WWW-Authenticate", 'Bearer realm="tracker"')
        _keep_allow(error, response)
        return response
    page = Response(render_template("errors/error.html", error=error, status=status), status)
    _keep_allow(error, page)
    return page


def _keep_allow(error: HTTPException, response: Response) -> None:
    """Keep the methods a 405 names (its Allow header), as HTTP requires."""
    allowed = getattr(error, "valid_methods", None)
    if error.code == 405 and allowed:
        response.headers["Allow"] = ", ".join(allowed)


def _audit_denial() -> None:
    """Keep a record of every refused request, in a transaction of its own."""
    from tracker import audit

    db.session.rollback()
    audit.record("access.denied", f"{request.method} {request.path}")
    db.session.commit()


def handle_denied(error: Denied) -> Response | tuple[str, int]:
    """Answer a refusal: 404 for what the caller may not see, 403 for what they may not do."""
    http = NotFound if error.status == 404 else Forbidden
    return handle_http_exception(http(error.message))


def rollback_quietly() -> None:
    """Roll back the session; a connection the database dropped is discarded, not raised."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.close()


def reconnect_next_time() -> None:
    """Close the pool's idle connections (and the rest as they come back): next, open new ones.

    A pooled connection can outlive what it was opened on: a SQLite file moved away and put
    back stays, for the old connection, the empty file made in its absence.
    """
    db.session.close()
    if db.engine.url.database not in (None, "", ":memory:"):  # memory: disposing would empty it
        db.engine.dispose()


def handle_database_unavailable(error: SQLAlchemyError) -> Response | tuple[str, int]:
    """Answer 503 while the database cannot be reached; the next request tries it again.

    The person is shown as signed out on this page only, so the page itself needs no database.
    """
    where = clean(request.path, 300)
    log.warning(
        "database unavailable on %s %s: %s%s",
        request.method,
        where,
        clean(_first(error)),
        _code(error),
    )
    rollback_quietly()
    reconnect_next_time()
    login_manager._update_request_context_with_user()  # anonymous: the layout reads no rows
    response = handle_http_exception(
        ServiceUnavailable("The database is unavailable for a moment. Please try again shortly.")
    )
    if isinstance(response, tuple):
        response = Response(response[0], status=response[1], mimetype="text/html")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _code(error: Exception) -> str:
    """Return the driver's own code for a database error, as " [code]", or "" when it has none.

    SQLite's extended name tells a writer that waited out its busy timeout (SQLITE_BUSY) from
    one refused at once (SQLITE_BUSY_SNAPSHOT); PostgreSQL's SQLSTATE names its condition.
    """
    orig = getattr(error, "orig", None)
    code = getattr(orig, "sqlite_errorname", None) or getattr(orig, "sqlstate", None)
    return f" [{code}]" if code else ""


def _first(error: Exception) -> str:
    """Return the first line of a database error's message (drivers append SQL and hints)."""
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def init_app(app: Flask) -> None:
    """Register the handlers; the app's log lines (Flask's "Exception on <path>") stay whole."""
    keep_log_lines_whole(app.logger)
    keep_log_lines_whole(log)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(PoolTimeout, handle_database_unavailable)
    app.register_error_handler(Denied, handle_denied)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(InternalServerError, handle_http_exception)
