"""Writes for self-assessment: the levels an engineer claims; shown, never counted."""

from __future__ import annotations

from tracker.extensions import db
from tracker.models import SelfAssessment, User
from tracker.operations.errors import RecordError


def set_claims(engineer: User, claims: dict[int, int]) -> None:
    """Record the levels an engineer claims per competency id (0-4)."""
    for competency_id, level in claims.items():
        if not 0 <= level <= 4:
            raise RecordError({"level": "Each level must be from 0 to 4."})
        row = db.session.get(SelfAssessment, (engineer.id, competency_id))
        if row is None:
            db.session.add(
                SelfAssessment(user_id=engineer.id, competency_id=competency_id, level=level)
            )
        elif row.level != level:
            row.level = level
    db.session.flush()
