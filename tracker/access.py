"""Who may open what: the `role_required` decorator and row-level guards."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from tracker.extensions import db
from tracker.models import Role, TeamManager, User

F = TypeVar("F", bound=Callable[..., Any])


def role_required(*roles: Role) -> Callable[[F], F]:
    """Let in logged-in people holding any of `roles` (admins always); refuse others with 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(Role.ADMIN, *roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def manages(manager: User, engineer: User) -> bool:
    """Return True when `manager` manages the team `engineer` belongs to."""
    if engineer.team_id is None or not manager.has_role(Role.MANAGER):
        return False
    link = db.session.get(TeamManager, (engineer.team_id, manager.id))
    return link is not None


def managed_team_ids(user: User) -> set[int]:
    """Return the ids of the teams `user` manages."""
    if not user.has_role(Role.MANAGER):
        return set()
    rows = db.session.scalars(db.select(TeamManager.team_id).where(TeamManager.user_id == user.id))
    return set(rows)


def can_see_engineer(viewer: User, engineer: User) -> bool:
    """Return True when `viewer` may read `engineer`'s records: self, their manager, L&D, admin."""
    if viewer.id == engineer.id or viewer.has_role(Role.LD, Role.ADMIN):
        return True
    return manages(viewer, engineer)


def get_engineer_or_404(email: str) -> User:
    """Return the person with `email` when the current user may see them; 404 otherwise."""
    engineer = db.session.scalar(db.select(User).where(User.email == email.strip().lower()))
    if engineer is None or not can_see_engineer(current_user, engineer):
        abort(404)
    return engineer


def can_see_team(viewer: User, team_id: int) -> bool:
    """Return True for the team's managers, L&D and admins."""
    return viewer.has_role(Role.LD, Role.ADMIN) or team_id in managed_team_ids(viewer)
