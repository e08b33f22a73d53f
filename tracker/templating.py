"""Template globals: the navigation a person's roles allow."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_login import current_user

from tracker.models import Role
from tracker.reads.queue import decidable_count


@dataclass(frozen=True)
class NavItem:
    """A link in the top navigation, shown to holders of any of `roles` (None: everyone)."""

    label: str
    endpoint: str
    roles: frozenset[Role] | None = None


NAVIGATION = (
    NavItem("Home", "main.home"),
    NavItem("Paths", "engineer.paths", frozenset({Role.ENGINEER})),
    NavItem("Log progress", "engineer.log", frozenset({Role.ENGINEER})),
    NavItem("Evidence", "engineer.evidence", frozenset({Role.ENGINEER})),
    NavItem("Team", "team.dashboard_home", frozenset({Role.MANAGER, Role.LD})),
    NavItem("Company", "team.company", frozenset({Role.LD})),
    NavItem("Verify", "team.verify", frozenset({Role.MANAGER, Role.LD})),
    NavItem("Assign", "team.assign", frozenset({Role.MANAGER, Role.LD})),
    NavItem("Catalogue", "authoring.index", frozenset({Role.LD, Role.ADMIN})),
    NavItem("People", "admin.people", frozenset({Role.ADMIN})),
    NavItem("Teams", "admin.teams", frozenset({Role.ADMIN})),
    NavItem("Integrations", "admin.integrations", frozenset({Role.ADMIN})),
    NavItem("Audit", "admin.audit", frozenset({Role.ADMIN})),
)


def navigation() -> list[NavItem]:
    """Return the navigation items the current user may follow."""
    if not current_user.is_authenticated:
        return []
    return [
        item
        for item in NAVIGATION
        if item.endpoint in current_app.view_functions
        and (item.roles is None or current_user.has_role(*item.roles))
    ]


def init_app(app: Flask) -> None:
    """Expose the helpers to every template."""

    @app.context_processor
    def inject() -> dict[str, object]:
        return {
            "navigation": navigation,
            "current_endpoint": lambda: request.endpoint,
            "Role": Role,
            "pending_verifications": lambda: decidable_count(current_user._get_current_object()),
        }
