"""Reads for the verification queue."""

from __future__ import annotations

from sqlalchemy import Select, func

from tracker.access import managed_team_ids
from tracker.extensions import db
from tracker.models import Evidence, EvidenceStatus, Module, Role, User


def queue_query(viewer: User) -> Select:  # type: ignore[type-arg]
    """Pending evidence the viewer may see: their teams' (not their own); everything for L&D."""
    query = (
        db.select(Evidence, User, Module)
        .join(User, User.id == Evidence.user_id)
        .join(Module, Module.id == Evidence.module_id)
        .where(Evidence.status == EvidenceStatus.PENDING)
    )
    if not viewer.has_role(Role.LD, Role.ADMIN):
        query = query.where(User.team_id.in_(managed_team_ids(viewer)), User.id != viewer.id)
    return query


def decidable_count(viewer: User) -> int:
    """Return how much evidence waits for this manager's decision."""
    if not viewer.has_role(Role.MANAGER):
        return 0
    query = (
        db.select(func.count(Evidence.id))
        .join(User, User.id == Evidence.user_id)
        .where(
            Evidence.status == EvidenceStatus.PENDING,
            User.team_id.in_(managed_team_ids(viewer)),
            User.id != viewer.id,
        )
    )
    return db.session.scalar(query) or 0
