"""Who is sending: HTTP Basic with an API token as the password, and the version header.

Every refusal of a known sender is in the audit trail: a refused POST or PUT (400, 403, 409,
413) as `xapi.refused`, and a 403 also as the `access.denied` every surface records. Each is
committed on its own, after the rollback, so the refused batch leaves no statement and no
evidence. A request without a usable token (401) names nobody and writes nothing, as the API.
"""

from __future__ import annotations

import re

from flask import Response, abort, g, request
from werkzeug.exceptions import HTTPException

from tracker import audit, policy
from tracker.errors import _audit_denial, handle_http_exception, json_error
from tracker.extensions import db
from tracker.models import Integration, User
from tracker.operations.tokens import use_token
from tracker.sessions import act_as
from tracker.xapi import bp

VERSION = "1.0.3"
_VERSION_HEADER = "X-Experience-API-Version"
_ACCEPTED = re.compile(r"1\.0(\.\d+)?")
_CHALLENGE = 'Basic realm="tracker xAPI", charset="UTF-8"'
MAX_BYTES = 8 * 1024 * 1024  # a full batch of large statements fits; more is refused unread


class Refused(Exception):
    """A request the intake answers at once with `status` and `message`."""

    def __init__(self, status: int, message: str, challenge: bool = False) -> None:
        super().__init__(message)
        self.status, self.message, self.challenge = status, message, challenge


@bp.errorhandler(Refused)
def _refused(error: Refused) -> Response:
    audit_refusal(error.status, error.message)
    response = json_error(error.status, error.message)
    if error.challenge:
        response.headers["WWW-Authenticate"] = _CHALLENGE
    return response


@bp.errorhandler(HTTPException)
def _refused_while_reading(error: HTTPException) -> Response | tuple[str, int]:
    """A body refused as it is read (413 too large, 400 nested too deeply): audited too."""
    status = error.code or 500
    if status < 500 and status != 403:  # the app's handler records a 403 itself
        audit_refusal(status, error.description or error.name)
    return handle_http_exception(error)


def audit_refusal(status: int, reason: str) -> None:
    """Record a known sender's refused request, in a transaction of its own."""
    who: User | Integration | None = g.get("xapi_sender")
    if who is None or status == 401:
        return
    if status == 403:
        _audit_denial()
    if request.method not in ("POST", "PUT"):
        return
    db.session.rollback()  # nothing of the refused batch is kept
    audit.record(
        "xapi.refused",
        f"{request.method} {request.path} from {_name(who)}",
        f"status={status}; {audit.clean(reason, 300)}",
        actor=who if isinstance(who, User) else None,
    )
    db.session.commit()


def _name(who: User | Integration) -> str:
    return who.email if isinstance(who, User) else f"integration {who.name}"


@bp.before_request
def authenticate() -> None:
    """Check the token, then the version header; L&D, admins, engineers and integrations.

    The token comes first so that every refusal after it has a sender to audit.
    """
    request.max_content_length = MAX_BYTES
    act_as(None)  # like the API, the intake ignores session cookies
    if request.endpoint == "xapi.about":
        return
    credentials = request.authorization
    if credentials is None or credentials.type != "basic" or not credentials.password:
        raise Refused(401, "Authenticate with HTTP Basic: an API token as the password.", True)
    who = use_token(credentials.password)
    if db.session.dirty:
        db.session.commit()  # the token's last use
    if who is None:
        raise Refused(401, "The token is unknown or revoked, or its owner is inactive.", True)
    g.xapi_sender = who
    act_as(who if isinstance(who, User) else None)
    version = request.headers.get(_VERSION_HEADER, "")
    if not _ACCEPTED.fullmatch(version.strip()):
        raise Refused(
            400, f"Send the header {_VERSION_HEADER}: 1.0.3 (this intake speaks xAPI 1.0.x)."
        )
    if not policy.may_send_statements(who):
        raise Refused(
            403,
            "This token may not send statements: ask for an integration token "
            "with the xapi scope, or use an L&D token.",
        )


def sender() -> User | Integration:
    """The person or integration this request comes from."""
    found: User | Integration | None = g.get("xapi_sender")
    if found is None:
        abort(401)
    return found


@bp.after_request
def _version(response: Response) -> Response:
    response.headers[_VERSION_HEADER] = VERSION
    response.headers.setdefault("Cache-Control", "no-store")
    return response
