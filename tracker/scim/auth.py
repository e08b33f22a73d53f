"""Who is calling, and how every answer and refusal looks.

A SCIM client sends `Authorization: Bearer <token>` of an integration holding the `scim` scope
(`policy.may_provision`). No token, or an unknown or revoked one, is a 401 with a
`WWW-Authenticate` challenge; a person's token (an admin's too) or an integration without the
scope is a 403. Session cookies are ignored. Every refusal is a SCIM error document; those of
a known caller are audited as the xAPI intake does: a 403 as `access.denied`, a refused write
as `scim.refused`, each committed on its own after the rollback, so nothing is half-written.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response, g, request
from scim2_models import Error, SCIMException
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed, NotFound

from tracker import audit, policy
from tracker.errors import _audit_denial, handle_http_exception, rollback_quietly
from tracker.extensions import db
from tracker.models import Integration, User
from tracker.operations.tokens import use_token
from tracker.scim import bp
from tracker.sessions import act_as

MEDIA_TYPE = "application/scim+json"
CHALLENGE = 'Bearer realm="tracker SCIM"'
MAX_BYTES = 2 * 1024 * 1024  # a group of several thousand members fits; more is refused unread
WRITES = ("POST", "PUT", "PATCH", "DELETE")


class Refused(SCIMException):
    """A refusal with a status and scimType of our choosing (scim2-models has a class per type)."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail=detail)
        self.status, self.scim_type = status, scim_type or ""


def scim_json(body: Any, status: int = 200) -> Response:
    """Return `body` (already a SCIM payload) as application/scim+json."""
    return Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE)


def error_document(status: int, detail: str, scim_type: str | None = None) -> Response:
    """Return an RFC 7644 error document (status as a string, as the RFC shows)."""
    error = Error(status=status, scim_type=scim_type or None, detail=detail)
    response = scim_json(error.model_dump(), status)
    if status == 401:
        response.headers["WWW-Authenticate"] = CHALLENGE
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(SCIMException)
def _refused(error: SCIMException) -> Response:
    scim_error = error.to_error()
    status = int(scim_error.status or 400)
    detail = _one_line(scim_error.detail or "")
    audit_refusal(status, detail)
    return error_document(status, detail, scim_error.scim_type)


def _one_line(detail: str) -> str:
    """A validation message on one line, without pydantic's links to its documentation."""
    lines = [line.strip() for line in detail.splitlines()]
    return "; ".join(line for line in lines if line and not line.startswith("For further"))


@bp.errorhandler(IntegrityError)
def _raced(error: IntegrityError) -> Response:
    """Another request stored the same email or team name first: a conflict, nothing written."""
    rollback_quietly()
    return _refused(
        Refused(409, "Another request changed this at the same moment; try again.", "uniqueness")
    )


@bp.errorhandler(HTTPException)
@bp.errorhandler(InternalServerError)  # the app's own 500 page would be found first otherwise
def _http_error(error: HTTPException) -> Response:
    """Werkzeug's refusals (413 too large, 405, an unexpected 500) as SCIM error documents."""
    status = error.code or 500
    if status >= 500:
        rollback_quietly()
        return error_document(status, "Something went wrong on our side; nothing was changed.")
    audit_refusal(status, error.description or error.name)
    detail = error.description
    # a body refused as it is read (too deep, not UTF-8) is malformed: invalidSyntax
    response = error_document(
        status, detail or error.name, "invalidSyntax" if status == 400 else None
    )
    allowed = getattr(error, "valid_methods", None)
    if status == 405 and allowed:
        response.headers["Allow"] = ", ".join(allowed)
    return response


def audit_refusal(status: int, reason: str) -> None:
    """Record a known caller's refused request, in a transaction of its own."""
    db.session.rollback()  # nothing of the refused request is kept
    who: User | Integration | None = g.get("scim_caller")
    if who is None or status == 401:
        return
    if status == 403:
        _audit_denial()
        return
    if request.method in WRITES:
        audit.record(
            "scim.refused",
            f"{request.method} {request.path}",
            f"status={status}; {audit.clean(reason, 300)}",
        )
        db.session.commit()


@bp.before_request
def authenticate() -> None:
    """Check the bearer token, then that its owner may provision."""
    act_as(None)  # cookies are ignored: the token alone says who calls
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Refused(
            401, "Authenticate with a bearer token of an integration with the scim scope."
        )
    who = use_token(secret.strip())
    if db.session.dirty:
        db.session.commit()  # the token's last use
    if who is None:
        raise Refused(401, "The token is unknown or revoked, or its owner is inactive.")
    g.scim_caller = who
    if not policy.may_provision(who):
        raise Refused(
            403,
            "This token may not provision people: use the token of an integration "
            "with the scim scope (a person's token never may).",
        )
    assert isinstance(who, Integration)  # may_provision holds only for integrations
    g.audit_integration = f"integration {who.name}"
    if (request.content_length or 0) > MAX_BYTES:  # the app's own, larger limit stays below
        raise Refused(413, f"The body is larger than {MAX_BYTES // 1024 // 1024} MB.")


def caller() -> Integration:
    """The integration this request comes from (authenticate has checked it)."""
    who = g.get("scim_caller")
    if not isinstance(who, Integration):
        raise Refused(
            401, "Authenticate with a bearer token of an integration with the scim scope."
        )
    return who


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def answer_unrouted(app: Flask) -> None:
    """Answer an unknown path or method under /scim/v2 with a SCIM error document.

    No blueprint handler sees a request that matched no route, so the app's handlers for 404
    and 405 answer SCIM's paths here and leave every other path to the app's own handler.
    """

    def handle(error: HTTPException) -> Response | tuple[str, int]:
        if not request.path.startswith(f"{bp.url_prefix}/") and request.path != bp.url_prefix:
            return handle_http_exception(error)
        if isinstance(error, MethodNotAllowed):
            return _http_error(error)
        return error_document(404, f"There is no SCIM resource at {request.path}.")

    app.register_error_handler(NotFound, handle)
    app.register_error_handler(MethodNotAllowed, handle)
