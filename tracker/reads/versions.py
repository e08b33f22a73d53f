"""Cache keys for figures, derived in one place from every input a figure shows.

A chart or table is cached under `figure_key(...)`: the people it covers (ids and names), a
summary of their evidence (a new, decided or withdrawn record changes it), their claims, the
team's staffing targets, the catalogue, the role, the as-of date and who is looking. Change
any one of them and the key changes, so a cached figure is never stale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from datetime import date

from sqlalchemy import func

from tracker.extensions import db
from tracker.models import Evidence, SelfAssessment, StaffingTarget, TargetRole, User
from tracker.reads.catalogue import Catalogue


def _evidence_summary(user_ids: Collection[int]) -> tuple[tuple[object, ...], ...]:
    rows = db.session.execute(
        db.select(
            Evidence.status,
            func.count(Evidence.id),
            func.max(Evidence.id),
            func.max(Evidence.decided_at),
            func.sum(Evidence.user_id),
        )
        .where(Evidence.user_id.in_(list(user_ids)))
        .group_by(Evidence.status)
        .order_by(Evidence.status)
    )
    return tuple(tuple(row) for row in rows)


def _targets(team_id: int) -> tuple[tuple[object, ...], ...]:
    rows = db.session.execute(
        db.select(TargetRole.key, StaffingTarget.id, StaffingTarget.count, StaffingTarget.by)
        .join(TargetRole, TargetRole.id == StaffingTarget.role_id)
        .where(StaffingTarget.team_id == team_id, StaffingTarget.archived_at.is_(None))
        .order_by(StaffingTarget.id)
    )
    return tuple(tuple(row) for row in rows)


def _claims(user_id: int) -> tuple[tuple[object, ...], ...]:
    row = db.session.execute(
        db.select(func.count(SelfAssessment.id), func.max(SelfAssessment.id)).where(
            SelfAssessment.user_id == user_id
        )
    ).one()
    return (tuple(row),)


def figure_key(
    figure: str,
    catalogue: Catalogue,
    role_key: str,
    as_of: date,
    audience: str,
    *,
    team: tuple[int, str] | None = None,
    members: Collection[tuple[int, str]] = (),
    engineer_id: int | None = None,
) -> str:
    """Return the cache key of a figure from every input it shows.

    `team` is (id, name) for a team figure; `members` the (id, name) of the people it covers;
    `engineer_id` the engineer of a personal figure (their claims are shown too); `audience`
    says who is looking (e.g. "self", "manager", "ld").
    """
    people = sorted(members)
    inputs = (
        figure,
        role_key,
        as_of.isoformat(),
        audience,
        team,
        people,
        _evidence_summary([pid for pid, _ in people]) if people else (),
        _targets(team[0]) if team else (),
        _claims(engineer_id) if engineer_id is not None else (),
        catalogue.fingerprint,
    )
    return hashlib.sha256(repr(inputs).encode()).hexdigest()


def person(user: User) -> tuple[int, str]:
    """Return the (id, name) a figure shows of a person."""
    return (user.id, user.name)
