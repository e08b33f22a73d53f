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


def active_admins_besides(user_ids: Iterable[int]) -> list[str]:
    """Return the emails of active admins other than `user_ids`, locking admin rows first.

    The lock (PostgreSQL; SQLite has one writer anyway) makes two admins who demote or
    deactivate each other at the same moment take turns, so the second sees the first's change.
    """
    admins = db.select(User.id).where(User.active.is_(True), User.role_links.any(role=Role.ADMIN))
    db.session.execute(admins.with_for_update()).all()
    others = (
        db.select(User.email)
        .where(User.active.is_(True), User.role_links.any(role=Role.ADMIN))
        .where(User.id.not_in(list(user_ids)))
        .order_by(User.email)
    )
    return list(db.session.scalars(others))


def _keep_an_admin(user: User, what: str) -> None:
    """Refuse to take `user`, an active admin, out of the admins when nobody else is one."""
    if user.active and Role.ADMIN in user.roles and not active_admins_besides([user.id]):
        raise AdminRuleError(
            f"You cannot {what} {user.email}: they are the last active admin. "
            "Give someone else the admin role first."
        )


def update_person(
    user: User, actor: User | None, name: str, roles: set[Role], team_id: int | None
) -> None:
    """Change a person's name, roles and team, auditing role and team changes.

    `actor` is the admin making the change, or None for an integration (a SCIM client).
    """
    if Role.ADMIN in user.roles and Role.ADMIN not in roles:
        if actor is not None and user.id == actor.id:
            raise AdminRuleError("You cannot remove your own admin role.")
        _keep_an_admin(user, "remove the admin role of")
    user.name = name.strip()
    if roles != user.roles:
        audit.record("role.changed", user.email, f"{_roles(user.roles)} -> {_roles(roles)}")
        user.set_roles(roles)
    if team_id != user.team_id:
        audit.record("team.changed", user.email, f"{user.team_id} -> {team_id}")
        user.team_id = team_id


def set_active(user: User, actor: User | None, active: bool) -> None:
    """Deactivate (ending every session) or reactivate a person.

    `actor` is the admin doing it, or None for an integration (a SCIM client).
    """
    if actor is not None and user.id == actor.id and not active:
        raise AdminRuleError("You cannot deactivate your own account.")
    if user.active == active:
        return
    if not active:
        _keep_an_admin(user, "deactivate")
    user.active = active
    if not active:
        end_all_sessions(user)
    audit.record("person.activated" if active else "person.deactivated", user.email)


def change_email(user: User, email: str) -> None:
    """Give a person a new email (their sign-in name), audited; the caller checks it is free."""
    email = email.strip().lower()
    if email != user.email:
        audit.record("person.email_changed", user.email, f"-> {email}")
        user.email = email


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
