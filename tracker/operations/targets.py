"""Writes for staffing targets: a team wants N people ready for a role by a date."""

from __future__ import annotations

from datetime import date

from tracker import audit
from tracker.extensions import db
from tracker.models import StaffingTarget, TargetRole, User, utcnow
from tracker.operations.errors import RecordError


def set_target(
    team_id: int, role_key: str, count: str, by: str, actor: User, today: date
) -> StaffingTarget:
    """Add a staffing target from what was typed; RecordError names each bad field."""
    role = db.session.scalar(
        db.select(TargetRole).where(TargetRole.key == role_key, TargetRole.archived_at.is_(None))
    )
    errors: dict[str, str] = {}
    if role is None:
        errors["role"] = "Choose a role."
    digits = count.strip()
    if not (digits.isascii() and digits.isdigit()) or not 1 <= int(digits) <= 1000:
        errors["count"] = "The number of people must be a whole number from 1 to 1000."
    try:
        when: date | None = date.fromisoformat(by)
    except ValueError:
        when = None
    if when is None or when <= today:
        errors["by"] = "The date must be a day after today."
    if errors or role is None or when is None:
        raise RecordError(errors)
    target = StaffingTarget(
        team_id=team_id, role_id=role.id, count=int(count), by=when, created_by_id=actor.id
    )
    db.session.add(target)
    db.session.flush()
    audit.record("target.set", f"team {team_id}", f"{count} {role.key} by {when}", actor=actor)
    return target


def retire_target(target: StaffingTarget, actor: User) -> None:
    """Retire a staffing target; it stays on record."""
    target.archived_at = utcnow()
    audit.record("target.archived", f"team {target.team_id}", f"target {target.id}", actor=actor)
