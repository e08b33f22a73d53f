"""Reads for nudges: a person's unread notices, and engineers who have gone quiet."""

from __future__ import annotations

from datetime import date, timedelta

from tracker.extensions import db
from tracker.models import Evidence, Notification, Role, User

QUIET_DAYS = 30


def unread(user: User, limit: int = 10) -> list[Notification]:
    """Return a person's unread notices, newest first."""
    return list(
        db.session.scalars(
            db.select(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .order_by(Notification.created_at.desc())
            .limit(limit)
        )
    )


def quiet_engineers(today: date) -> list[User]:
    """Return active engineers with no evidence in the last 30 days."""
    recent = db.select(Evidence.user_id).where(Evidence.date > today - timedelta(days=QUIET_DAYS))
    return list(
        db.session.scalars(
            db.select(User)
            .where(
                User.active.is_(True),
                User.role_links.any(role=Role.ENGINEER),
                User.id.not_in(recent),
            )
            .order_by(User.email)
        )
    )
