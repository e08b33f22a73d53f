"""The bearer check in front of every API route: who the caller is, and role-gated views.

Issuing and revoking tokens lives in `tracker.operations.tokens`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn, TypeVar

from flask import current_app, g, request
from flask_smorest import abort

from tracker import policy
from tracker.extensions import db
from tracker.models import Role, User
from tracker.operations.tokens import use_token
from tracker.sessions import act_as

F = TypeVar("F", bound=Callable[..., Any])

API_PREFIX = "/api/v1"
_BEARER = re.compile(r"Bearer +([A-Za-z0-9\-._~+/]+=*) *", re.IGNORECASE)
_CHALLENGE = 'Bearer realm="tracker"'


def authenticate(secret: str) -> User | None:
    """Return the active person owning the live token `secret`, or None.

    Integration tokens are not people: the API refuses them (they reach /xapi or /scim).
    """
    owner = use_token(secret)
    if db.session.dirty:
        db.session.commit()  # the token's last use
    return owner if isinstance(owner, User) else None


def bearer_secret(header: str | None) -> str | None:
    """Return the token in an `Authorization: Bearer <token>` header, or None when malformed."""
    match = _BEARER.fullmatch(header or "")
    return match.group(1) if match else None


def _refuse(message: str, error: str | None = None) -> NoReturn:
    """Answer 401 with the JSON error shape and a Bearer challenge."""
    challenge = f'{_CHALLENGE}, error="{error}"' if error else _CHALLENGE
    abort(401, message=message, headers={"WWW-Authenticate": challenge})
    raise AssertionError("unreachable")  # abort() raises


def public(view: F) -> F:
    """Mark an API view as open without a token (document it with `security=[]` too)."""
    view.api_public = True  # type: ignore[attr-defined]
    return view


def authenticate_request() -> None:
    """Before every /api/v1 request: the caller is the bearer token's owner, never the session."""
    if not (request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")):
        return
    # The API ignores session cookies: whoever the cookie names, the caller starts anonymous.
    act_as(None)
    g.api_user = None
    if request.url_rule is None:
        return  # routing answers 404 or 405
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "api_public", False):
        return
    header = request.headers.get("Authorization")
    if not header:
        _refuse("This API needs a token: send 'Authorization: Bearer <token>'.")
    secret = bearer_secret(header)
    if secret is None:
        _refuse("The Authorization header must be 'Bearer <token>'.", "invalid_request")
    user = authenticate(secret)  # type: ignore[arg-type]
    if user is None:
        _refuse("The token is unknown or revoked, or its owner is inactive.", "invalid_token")
    g.api_user = user
    act_as(user)


def api_user() -> User:
    """Return the person the current API request acts for."""
    user = g.get("api_user")
    if user is None:
        _refuse("This API needs a token: send 'Authorization: Bearer <token>'.")
    return user  # type: ignore[no-any-return]


def api_allowed_by(rule: Callable[[User], bool]) -> Callable[[F], F]:
    """Let in token owners for whom `rule` (a rule of tracker.policy) holds; others get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not rule(api_user()):
                abort(403, message="Your roles do not allow this.")
            return view(*args, **kwargs)

        wrapped.permission = rule  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def api_role_required(*roles: Role) -> Callable[[F], F]:
    """Let in token owners holding any of `roles` (admins always); refuse others with 403."""
    return api_allowed_by(lambda user: policy.holds(user, *roles))
