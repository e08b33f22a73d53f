"""Writes for people and teams: add and flush, audited; the caller commits. Nobody is deleted."""

from __future__ import annotations

from collections.abc import Iterable

from tracker import audit
from tracker.extensions import db
from tracker.models import Role, Team, TeamManager, User
from tracker.sessions import end_all_sessions


class AdminRuleError(ValueError):
    """A change an admin may not make (e.g. removing their own admin role)."""


def create_person(email: str, name: str, roles: Iterable[Role], team_id: int | None) -> User:
    """Add a person with no password yet (they set one through an invitation link)."""
    user = User(email=email.strip().lower(), name=name.strip(), team_id=team_id)
    user.set_roles(set(roles))
    db.session.add(user)
    db.session.flush()
    audit.record("person.created", user.email, f"roles={_roles(user.roles)} team={team_id}")
    return user


def _roles(roles: Iterable[Role]) -> str:
    return ";".join(sorted(r.value for r in roles))


def update_person(
    user: User, actor: User, name: str, roles: set[Role], team_id: int | None
) -> None:
    """Change a person's name, roles and team, auditing role and team changes."""
    if user.id == actor.id and Role.ADMIN in user.roles and Role.ADMIN not in roles:
        raise AdminRuleError("You cannot remove your own admin role.")
    user.name = name.strip()
    if roles != user.roles:
        audit.record("role.changed", user.email, f"{_roles(user.roles)} -> {_roles(roles)}")
        user.set_roles(roles)
    if team_id != user.team_id:
        audit.record("team.changed", user.email, f"{user.team_id} -> {team_id}")
        user.team_id = team_id


def set_active(user: User, actor: User, active: bool) -> None:
    """Deactivate (ending every session) or reactivate a person."""
    if user.id == actor.id and not active:
        raise AdminRuleError("You cannot deactivate your own account.")
    if user.active == active:
        return
    user.active = active
    if not active:
        end_all_sessions(user)
    audit.record("person.activated" if active else "person.deactivated", user.email)


def save_team(team: Team | None, name: str, manager_ids: set[int]) -> Team:
    """Create or rename a team and set its managers (people holding the manager role)."""
    if team is None:
        team = Team(name=name.strip())
        db.session.add(team)
        db.session.flush()
        audit.record("team.created", team.name)
    elif team.name != name.strip():
        audit.record("team.renamed", team.name, f"-> {name.strip()}")
        team.name = name.strip()
    set_managers(team, manager_ids)
    return team


def set_managers(team: Team, manager_ids: set[int]) -> None:
    """Make exactly `manager_ids` the managers of `team`."""
    current = set(
        db.session.scalars(db.select(TeamManager.user_id).where(TeamManager.team_id == team.id))
    )
    for user_id in current - manager_ids:
        db.session.delete(db.session.get(TeamManager, (team.id, user_id)))
    for user_id in manager_ids - current:
        db.session.add(TeamManager(team_id=team.id, user_id=user_id))
    if current != manager_ids:
        audit.record(
            "team.managers_changed", team.name, f"{sorted(current)} -> {sorted(manager_ids)}"
        )
    db.session.flush()
