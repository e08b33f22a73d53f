"""Who holds a role: the one definition `tracker.policy` and `tracker.four_eyes` ask."""

from __future__ import annotations

from tracker.models import Role, User


def holds(user: User, *roles: Role) -> bool:
    """Return True when `user` holds any of `roles`; admins hold every role."""
    return bool(user.has_role(Role.ADMIN, *roles))
