"""Template globals: the navigation a person's roles allow."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_login import current_user

from tracker.models import Role, User
from tracker.reads.queue import decidable_count


@dataclass(frozen=True)
class NavItem:
    """A link in the top navigation, shown to whoever the endpoint's guard lets in."""

    label: str
    endpoint: str


NAVIGATION = (
    NavItem("Home", "main.home"),
    NavItem("Paths", "engineer.paths"),
    NavItem("Roles", "engineer.role"),
    NavItem("Self-assessment", "engineer.self_assessment"),
    NavItem("Log progress", "engineer.log"),
    NavItem("Evidence", "engineer.evidence"),
    NavItem("Team", "team.dashboard_home"),
    NavItem("Company", "team.company"),
    NavItem("Verify", "team.verify"),
    NavItem("Assign", "team.assign"),
    NavItem("Catalogue", "authoring.index"),
    NavItem("People", "admin.people"),
    NavItem("Teams", "admin.teams"),
    NavItem("Integrations", "admin.integrations"),
    NavItem("Audit", "admin.audit"),
)


def may_open(user: User, endpoint: str) -> bool:
    """Return True when the endpoint exists and its policy guard (if any) lets `user` in."""
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return False
    rule: Callable[[User], bool] | None = getattr(view, "permission", None)
    return rule is None or rule(user)


def navigation() -> list[NavItem]:
    """Return the navigation items the current user may follow: the pages' own guards decide."""
    if not current_user.is_authenticated:
        return []
    user = current_user._get_current_object()
    return [item for item in NAVIGATION if may_open(user, item.endpoint)]


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
