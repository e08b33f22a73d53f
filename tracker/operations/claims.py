"""Writes for self-assessment: the levels an engineer claims; shown, never counted."""

from __future__ import annotations

from tracker.extensions import db
from tracker.models import SelfAssessment, User
from tracker.operations.errors import RecordError


def set_claims(engineer: User, claims: dict[int, int]) -> None:
    """Record the levels an engineer claims per competency id (0-4); each change adds a row."""
    if any(not 0 <= level <= 4 for level in claims.values()):
        raise RecordError({"level": "Each level must be from 0 to 4."})
    current = current_claims(engineer.id)
    for competency_id, level in claims.items():
        if current.get(competency_id) != level:
            db.session.add(
                SelfAssessment(user_id=engineer.id, competency_id=competency_id, level=level)
            )
    db.session.flush()


def current_claims(user_id: int) -> dict[int, int]:
    """Return the latest level claimed per competency id."""
    rows = db.session.execute(
        db.select(SelfAssessment.competency_id, SelfAssessment.level)
        .where(SelfAssessment.user_id == user_id)
        .order_by(SelfAssessment.claimed_at, SelfAssessment.id)
    )
    return {competency_id: level for competency_id, level in rows}
