"""API tokens and integration accounts: issue, use and revoke. Add and flush; never commit.

A token is `trk_` + 32 random bytes (URL-safe base64). It is shown once; only its SHA-256
hex digest is stored, with its first characters (`prefix`) so people can tell tokens apart.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Collection
from datetime import timedelta

from sqlalchemy.orm import joinedload

from tracker import audit
from tracker.extensions import db
from tracker.models import ApiToken, Integration, Scope, User, utcnow
from tracker.operations.errors import RecordError

TOKEN_PREFIX = "trk_"  # noqa: S105  (a public marker, not a secret)
PREFIX_LENGTH = 12  # "trk_" and 8 random characters: enough to recognise, useless to guess
TOUCH_INTERVAL = timedelta(minutes=1)
INTEGRATION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,79}")


def digest(secret: str) -> str:
    """Return the SHA-256 hex digest stored in place of a secret: a token's or a one-time link's."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_token(label: str) -> tuple[ApiToken, str]:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return ApiToken(label=label, token_hash=digest(secret), prefix=secret[:PREFIX_LENGTH]), secret


def issue_token(user: User, label: str, actor: User | None = None) -> tuple[ApiToken, str]:
    """Create a token for `user`; return the row and the secret (show it once, never store it)."""
    token, secret = _new_token(label)
    token.user_id = user.id
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


def use_token(secret: str) -> User | Integration | None:
    """Return the owner of the live token `secret` (an active person or a live integration).

    Notes the token's use at most once a minute: a write per request would be waste.
    """
    row = (
        db.session.execute(
            db.select(ApiToken, User, Integration)
            .outerjoin(User, User.id == ApiToken.user_id)
            .outerjoin(Integration, Integration.id == ApiToken.integration_id)
            .where(ApiToken.token_hash == digest(secret))
            .options(joinedload(User.role_links))  # in the same statement: every call asks them
        )
        .unique()
        .first()
    )
    if row is None:
        return None
    token, user, integration = row
    owner: User | Integration | None = user if user is not None and user.active else None
    if integration is not None and integration.revoked_at is None:
        owner = integration
    if token.revoked_at is not None or owner is None:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_INTERVAL:
        token.last_used_at = now
    return owner


def create_integration(
    name: str, scopes: Collection[str], by: User | None
) -> tuple[Integration, str]:
    """Make an integration account (no login, no person) and its first token, shown once."""
    name = name.strip()
    errors = {}
    if not INTEGRATION_NAME.fullmatch(name):
        errors["name"] = (
            "The name must be 1 to 80 letters, digits, spaces, dots, dashes or underscores."
        )
    elif db.session.scalar(db.select(Integration.id).where(Integration.name == name)):
        errors["name"] = f"An integration named {name} already exists."
    known = {scope.value for scope in Scope}
    wrong = sorted(set(scopes) - known)
    if not scopes or wrong:
        errors["scope"] = f"Choose scopes among {', '.join(sorted(known))}" + (
            f" ({', '.join(wrong)} is not one)." if wrong else "."
        )
    if errors:
        raise RecordError(errors)
    integration = Integration(
        name=name, scopes=" ".join(sorted(set(scopes))), created_by_id=by.id if by else None
    )
    db.session.add(integration)
    db.session.flush()
    token, secret = _new_token(f"integration {name}")
    token.integration_id = integration.id
    db.session.add(token)
    db.session.flush()
    audit.record(
        "integration.created", name, f"scopes={integration.scopes} token {token.prefix}", by
    )
    return integration, secret


def revoke_integration(integration: Integration, by: User | None) -> bool:
    """Revoke an integration and every token it holds; False when it was already revoked."""
    if integration.revoked_at is not None:
        return False
    now = utcnow()
    integration.revoked_at = now
    tokens = db.select(ApiToken).where(
        ApiToken.integration_id == integration.id, ApiToken.revoked_at.is_(None)
    )
    for token in db.session.scalars(tokens):
        token.revoked_at = now
    audit.record("integration.revoked", integration.name, actor=by)
    return True
