"""API tokens: issue, revoke, authenticate; and the bearer check in front of every API route.

A token is `trk_` + 32 random bytes (URL-safe base64). It is shown once; only its SHA-256
hex digest is stored, with its first characters (`prefix`) so people can tell tokens apart.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, NoReturn, TypeVar

from flask import current_app, g, request
from flask_smorest import abort
from sqlalchemy import Select

from tracker import audit
from tracker.extensions import db
from tracker.models import ApiToken, Role, User, utcnow

F = TypeVar("F", bound=Callable[..., Any])

TOKEN_PREFIX = "trk_"  # noqa: S105  (a public marker, not a secret)
PREFIX_LENGTH = 12  # "trk_" and 8 random characters: enough to recognise, useless to guess
TOUCH_INTERVAL = timedelta(minutes=1)
API_PREFIX = "/api/v1"
_BEARER = re.compile(r"Bearer +([A-Za-z0-9\-._~+/]+=*) *", re.IGNORECASE)
_CHALLENGE = 'Bearer realm="tracker"'


def digest(secret: str) -> str:
    """Return the SHA-256 hex digest stored in place of a token."""
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(user: User, label: str, actor: User | None = None) -> tuple[ApiToken, str]:
    """Create a token for `user`; return the row and the secret (show it once, never store it)."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, label=label, token_hash=digest(secret), prefix=secret[:PREFIX_LENGTH]
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        "token.created", user.email, f"token {token.id} {token.prefix} label={label}", actor
    )
    return token, secret


def revoke_token(token: ApiToken, owner: User, actor: User | None = None) -> bool:
    """Revoke `token` (owned by `owner`); return False when it was already revoked."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    audit.record("token.revoked", owner.email, f"token {token.id} {token.prefix}", actor)
    return True


def tokens_of(user: User) -> Select[tuple[ApiToken]]:
    """Return the query for `user`'s tokens, newest first."""
    return (
        db.select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )


def authenticate(secret: str) -> User | None:
    """Return the active owner of the live token `secret` (recording its use), or None."""
    row = db.session.execute(
        db.select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == digest(secret))
    ).first()
    if row is None:
        return None
    token, user = row
    if token.revoked_at is not None or not user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_INTERVAL:
        token.last_used_at = now  # at most once a minute: a write per request would be waste
        db.session.commit()
    return user


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
    current_app.login_manager._update_request_context_with_user(None)  # type: ignore[attr-defined]
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
    current_app.login_manager._update_request_context_with_user(user)  # type: ignore[attr-defined]


def api_user() -> User:
    """Return the person the current API request acts for."""
    user = g.get("api_user")
    if user is None:
        _refuse("This API needs a token: send 'Authorization: Bearer <token>'.")
    return user  # type: ignore[no-any-return]


def api_role_required(*roles: Role) -> Callable[[F], F]:
    """Let in token owners holding any of `roles` (admins always); refuse others with 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not api_user().has_role(Role.ADMIN, *roles):
                abort(403, message="Your roles do not allow this.")
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
