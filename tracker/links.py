"""Invitation and reset links: random, timed, single use; only a hash of the secret is stored."""

from __future__ import annotations

import secrets

from flask import current_app

from tracker.extensions import db
from tracker.models import LinkPurpose, OneTimeLink, User, utcnow
from tracker.operations.tokens import digest


def issue_link(user: User, purpose: LinkPurpose) -> str:
    """Create a one-time link for `user` and return its secret (shown or mailed once)."""
    ttl = current_app.config["INVITATION_TTL" if purpose is LinkPurpose.INVITATION else "RESET_TTL"]
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        OneTimeLink(
            user_id=user.id,
            purpose=purpose,
            token_hash=digest(secret),
            created_at=now,
            expires_at=now + ttl,
        )
    )
    db.session.flush()
    return secret


def find_usable_link(secret: str) -> OneTimeLink | None:
    """Return the unexpired, unused link for `secret`, or None."""
    link = db.session.scalar(db.select(OneTimeLink).where(OneTimeLink.token_hash == digest(secret)))
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        return None
    return link


def consume_link(link: OneTimeLink) -> None:
    """Mark `link` used, and every other open link of its person for the same purpose."""
    now = utcnow()
    others = db.session.scalars(
        db.select(OneTimeLink).where(
            OneTimeLink.user_id == link.user_id,
            OneTimeLink.purpose == link.purpose,
            OneTimeLink.used_at.is_(None),
        )
    )
    for other in others:
        other.used_at = now
    link.used_at = now
