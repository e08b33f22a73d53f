"""Writes for self-assessment: the levels an engineer claims; shown, never counted."""

from __future__ import annotations

from tracker.extensions import db
from tracker.models import ClaimEntry, SelfAssessment, User
from tracker.operations.errors import RecordError


def set_claims(engineer: User, claims: dict[int, int]) -> None:
    """Record the levels an engineer claims per competency id (0-4); each change is kept, dated."""
    if any(not 0 <= level <= 4 for level in claims.values()):
        raise RecordError({"level": "Each level must be from 0 to 4."})
    for competency_id, level in claims.items():
        row = db.session.get(SelfAssessment, (engineer.id, competency_id))
        if row is not None and row.level == level:
            continue
        if row is None:
            db.session.add(
                SelfAssessment(user_id=engineer.id, competency_id=competency_id, level=level)
            )
        else:
            row.level = level
        db.session.add(ClaimEntry(user_id=engineer.id, competency_id=competency_id, level=level))
    db.session.flush()
