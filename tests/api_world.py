"""An organisation for tests of the whole API: a caller of each kind, and records they reach.

Built on conftest's `scored_team` (a team of four with a lead, evidence and a staffing
target): adds L&D and an admin, a token for each caller (and a revoked one), a completion
waiting for verification and an assigned learning path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tracker import clock
from tracker.extensions import db
from tracker.models import EvidenceStatus, LearningPath, Module, Role
from tracker.operations import CompletionInput, enrol, record_completion
from tracker.operations.tokens import issue_token, revoke_token

# Every kind of caller the API meets: people by role, nobody, and a token taken back.
CALLERS = ("engineer", "manager", "ld", "admin", "anonymous", "revoked")


@dataclass(frozen=True)
class World:
    """Who calls (headers per caller kind) and what there is to reach."""

    headers: dict[str, dict[str, str]]
    engineer: str  # the engineer's email; their lead is the manager caller
    team_id: int
    pending_id: int  # a completion of the engineer's, waiting for their lead's decision


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def build_world(scored_team: dict[str, Any], make_user: Any) -> World:
    """Return the organisation above, committed."""
    engineer, spare = scored_team["people"][2], scored_team["people"][3]
    lead = scored_team["lead"]
    ld = make_user(email="ld@corp.test", roles=[Role.LD], password=None)
    admin = make_user(email="admin@corp.test", roles=[Role.ADMIN], password=None)
    headers = {
        kind: _bearer(issue_token(person, "api tests")[1])
        for kind, person in {
            "engineer": engineer,
            "manager": lead,
            "ld": ld,
            "admin": admin,
        }.items()
    }
    token, secret = issue_token(spare, "taken back")
    revoke_token(token, spare)
    headers["revoked"] = _bearer(secret)
    headers["anonymous"] = {}
    today = clock.today()
    module = db.session.scalar(db.select(Module).where(Module.key == "pipelines-101"))
    entry = CompletionInput(today - timedelta(days=3), None, "", "")
    pending = record_completion(engineer, module, entry, engineer, today, source="api")
    path = db.session.scalar(db.select(LearningPath).where(LearningPath.key == "swe-to-mle"))
    enrol(engineer, path, lead, today + timedelta(days=90), today)
    db.session.commit()
    assert pending.status is EvidenceStatus.PENDING
    return World(headers, engineer.email, scored_team["team"].id, pending.id)
