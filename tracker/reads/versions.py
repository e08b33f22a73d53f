"""Cache keys for figures, derived in one place from every input a figure shows.

A chart or table is cached under `figure_key(...)`: the catalogue, the role, the as-of date and
who is looking, and then, for a team figure, the team's figures token (replaced in the
transaction of every change to its name, its engineers, their evidence or its staffing
targets: `tracker.operations.team_versions`), or for a personal figure, the person (id and
name), a summary of their evidence (a new, decided or withdrawn record changes it) and their
claims. Change any one of them and the key changes, so a cached figure is never stale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func

from tracker.extensions import db
from tracker.models import Evidence, SelfAssessment, Team, TeamVersion, User
from tracker.reads.catalogue import Catalogue, Version, version_columns


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


@dataclass(frozen=True)
class TeamState:
    """What a team figure's key needs of its team: its name and figures token.

    The token is None until the team's first change since it was made. `catalogue` is the
    catalogue's version read in the same statement, for `load_catalogue(state.catalogue)`
    (the key takes the catalogue's own fingerprint).
    """

    id: int
    name: str
    token: str | None
    catalogue: Version = field(default=(None, None), repr=False, compare=False)


def team_state(team_id: int) -> TeamState | None:
    """Return the team's name and figures token and the catalogue's version (one statement),
    or None for no such team."""
    row = db.session.execute(
        db.select(Team.name, TeamVersion.token, *version_columns())
        .outerjoin(TeamVersion, TeamVersion.team_id == Team.id)
        .where(Team.id == team_id)
    ).first()
    if row is None:
        return None
    name, token, catalogue_token, steps_rules = row
    return TeamState(team_id, name, token, (catalogue_token, steps_rules))


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
    team: TeamState | None = None,
    members: Collection[tuple[int, str]] = (),
    engineer_id: int | None = None,
) -> str:
    """Return the cache key of a figure from every input it shows.

    `team` is the team of a team figure (`team_state`); for a personal figure,
    `members` the (id, name) of the people it covers and `engineer_id` the engineer (their
    claims are shown too); `audience` says who is looking (e.g. "self", "manager", "ld").
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
        _claims(engineer_id) if engineer_id is not None else (),
        catalogue.fingerprint,
    )
    return hashlib.sha256(repr(inputs).encode()).hexdigest()


def person(user: User) -> tuple[int, str]:
    """Return the (id, name) a figure shows of a person."""
    return (user.id, user.name)
