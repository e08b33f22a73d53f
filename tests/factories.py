"""Test factories: small functions that create and commit real rows."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from tracker.extensions import db
from tracker.models import Role, Team, TeamManager, User
from tracker.passwords import hash_password

PASSWORD = "correct horse battery"  # noqa: S105
_seq = itertools.count(1)


def make_user(
    email: str | None = None,
    name: str | None = None,
    roles: Iterable[Role] = (Role.ENGINEER,),
    team: Team | None = None,
    password: str | None = PASSWORD,
    active: bool = True,
) -> User:
    """Create a person with `roles` (engineer by default) and the test password."""
    n = next(_seq)
    user = User(
        email=(email or f"person{n}@corp.test").lower(),
        name=name or f"Person {n}",
        password_hash=hash_password(password) if password else None,
        team_id=team.id if team else None,
        active=active,
    )
    user.set_roles(set(roles))
    db.session.add(user)
    db.session.commit()
    return user


def make_team(
    name: str | None = None, managers: Iterable[User] = (), members: Iterable[User] = ()
) -> Team:
    """Create a team managed by `managers`, moving `members` into it."""
    team = Team(name=name or f"Team {next(_seq)}")
    db.session.add(team)
    db.session.flush()
    for manager in managers:
        db.session.add(TeamManager(team_id=team.id, user_id=manager.id))
    for member in members:
        member.team_id = team.id
    db.session.commit()
    return team
