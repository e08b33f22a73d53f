"""Per-account lock-out: after repeated failures, refuse logins for a growing while."""

from __future__ import annotations

from flask import current_app

from tracker.models import User, utcnow


def is_locked(user: User) -> bool:
    """Return True while the account is locked after too many failures."""
    return user.locked_until is not None and user.locked_until > utcnow()


def record_failure(user: User) -> bool:
    """Count a failed login; lock the account when over the limit. Return True if now locked."""
    config = current_app.config
    user.failed_logins = (user.failed_logins or 0) + 1
    over = user.failed_logins - config["LOGIN_MAX_FAILURES"]
    if over < 0:
        return False
    delay = min(config["LOGIN_LOCK_BASE"] * (2**over), config["LOGIN_LOCK_MAX"])
    user.locked_until = utcnow() + delay
    return True


def record_success(user: User) -> None:
    """Clear the failure counter after a successful login."""
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()
