"""Who is sending: HTTP Basic with an API token as the password, and the version header."""

from __future__ import annotations

import re

from flask import Response, abort, g, request

from tracker import policy
from tracker.errors import json_error
from tracker.extensions import db
from tracker.models import Integration, User
from tracker.operations.tokens import use_token
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
    response = json_error(error.status, error.message)
    if error.challenge:
        response.headers["WWW-Authenticate"] = _CHALLENGE
    return response


@bp.before_request
def authenticate() -> None:
    """Check the version header, then the token; L&D, admins, engineers and integrations."""
    request.max_content_length = MAX_BYTES
    if request.endpoint == "xapi.about":
        return
    version = request.headers.get(_VERSION_HEADER, "")
    if not _ACCEPTED.fullmatch(version.strip()):
        raise Refused(
            400, f"Send the header {_VERSION_HEADER}: 1.0.3 (this intake speaks xAPI 1.0.x)."
        )
    credentials = request.authorization
    if credentials is None or credentials.type != "basic" or not credentials.password:
        raise Refused(401, "Authenticate with HTTP Basic: an API token as the password.", True)
    who = use_token(credentials.password)
    if db.session.dirty:
        db.session.commit()  # the token's last use
    if who is None:
        raise Refused(401, "The token is unknown or revoked, or its owner is inactive.", True)
    if not policy.may_send_statements(who):
        raise Refused(
            403,
            "This token may not send statements: ask for an integration token "
            "with the xapi scope, or use an L&D token.",
        )
    g.xapi_sender = who


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
