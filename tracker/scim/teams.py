"""SCIM's writes to teams, through the operations the admin pages use.

Add and flush, never commit: the view commits once, so an error leaves nothing half-written.
"""

from __future__ import annotations

from collections.abc import Iterable

from scim2_models import InvalidValueException, UniquenessException
from sqlalchemy import delete

from tracker import audit
from tracker.admin.people import save_team, set_managers, update_person
from tracker.extensions import db
from tracker.models import (
    BandChange,
    Role,
    StaffingTarget,
    StandingCount,
    TargetRole,
    Team,
    TeamManager,
    TeamVersion,
    User,
)
from tracker.scim.provisioning import MAX_EXTERNAL_ID, MAX_NAME, provisioned_people


def checked_group(team: Team | None, name: str | None, external_id: str | None) -> str:
    """Return the team's name, or refuse: empty, too long, or another team's."""
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidValueException(detail=f"displayName must be 1 to {MAX_NAME} characters.")
    other = db.session.scalar(db.select(Team.id).where(Team.name == name))
    if other is not None and (team is None or other != team.id):
        raise UniquenessException(detail=f"Another team is already named {name}.")
    if external_id is not None and len(external_id) > MAX_EXTERNAL_ID:
        raise InvalidValueException(
            detail=f"externalId is longer than {MAX_EXTERNAL_ID} characters."
        )
    return name


def save_group(
    team: Team | None,
    name: str,
    external_id: str | None,
    members: list[str],
    managers: list[str] | None,
) -> Team:
    """Create or change a team: name, externalId, members and (when given) its managers.

    A person is in one team at most, so a member taken from another team leaves it. Managers
    must hold the manager role and be active, as on the admin page; `managers` None keeps them.
    """
    people = provisioned_people(members, "a member")
    current: set[int] = set()
    if team is not None:
        current = set(
            db.session.scalars(db.select(TeamManager.user_id).where(TeamManager.team_id == team.id))
        )
    manager_ids = current
    if managers is not None:
        chosen = provisioned_people(managers, "a manager")
        for person in chosen.values():
            if person.id in current:
                continue  # already a manager of the team: kept as the admin page keeps them
            if not person.active or Role.MANAGER not in person.roles:
                raise InvalidValueException(
                    detail=f"{person.email} (User {person.id}) cannot manage a team: only active "
                    "people with the manager role can. Give them the role first."
                )
        manager_ids = set(chosen)
    team = save_team(team, name, manager_ids)
    if external_id != team.external_id:
        audit.record("team.external_id_changed", team.name, f"{team.external_id} -> {external_id}")
        team.external_id = external_id
    _set_members(team, people.values())
    db.session.flush()
    return team


def _set_members(team: Team, wanted: Iterable[User]) -> None:
    chosen = {person.id: person for person in wanted}
    current = db.session.scalars(
        db.select(User).where(User.team_id == team.id, User.deprovisioned_at.is_(None))
    )
    for person in current:
        if person.id not in chosen:
            update_person(person, None, person.name, set(person.roles), None)
    for person in chosen.values():
        if person.team_id != team.id:
            update_person(person, None, person.name, set(person.roles), team.id)


def delete_team(team: Team) -> None:
    """Remove a team: its people and managers leave it, its staffing targets and derived rows
    go (each target audited with its values); people and their evidence are kept."""
    leaving = list(db.session.scalars(db.select(User).where(User.team_id == team.id)))
    for person in leaving:
        update_person(person, None, person.name, set(person.roles), None)
    set_managers(team, set())
    targets = db.session.execute(
        db.select(StaffingTarget, TargetRole.key)
        .join(TargetRole, TargetRole.id == StaffingTarget.role_id)
        .where(StaffingTarget.team_id == team.id)
    ).all()
    for target, role in targets:
        state = "archived" if target.archived_at else "live"
        audit.record(
            "target.deleted",
            f"team {team.id}",
            f"target {target.id}: {target.count} {role} by {target.by} ({state})",
        )
        db.session.delete(target)
    db.session.flush()
    db.session.execute(delete(TeamVersion).where(TeamVersion.team_id == team.id))
    db.session.execute(delete(StandingCount).where(StandingCount.team_id == team.id))
    db.session.execute(delete(BandChange).where(BandChange.team_id == team.id))
    audit.record(
        "team.deleted",
        team.name,
        f"team {team.id}: {len(leaving)} people left it, {len(targets)} targets deleted",
    )
    db.session.delete(team)
    db.session.flush()
