"""API tokens: issue and revoke. Add and flush; never commit.

A token is `trk_` + 32 random bytes (URL-safe base64). It is shown once; only its SHA-256
hex digest is stored, with its first characters (`prefix`) so people can tell tokens apart.
"""

from __future__ import annotations

import hashlib
import secrets

from tracker import audit
from tracker.extensions import db
from tracker.models import ApiToken, User, utcnow

TOKEN_PREFIX = "trk_"  # noqa: S105  (a public marker, not a secret)
PREFIX_LENGTH = 12  # "trk_" and 8 random characters: enough to recognise, useless to guess


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
