"""Who may do what, in one place for pages, the API and the CLI.

See an engineer or a team, record evidence for someone, decide evidence (four eyes), assign a
path, set staffing targets, edit the catalogue, send and map xAPI statements, administer.
Surfaces ask here and never decide for themselves (the four-eyes rule lives in
`tracker.four_eyes`, and is asked through here too). What the caller may not see is `NotVisible`
(404, as if it did not exist); what they may see but not do is `NotAllowed` (403). The error
handlers answer both as a page or as the API's JSON error.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app
from flask_login import current_user, login_required
from sqlalchemy import Select, false, select

from tracker import session_memo
from tracker.extensions import db
from tracker.four_eyes import Deciders as Deciders
from tracker.four_eyes import deciders as deciders
from tracker.four_eyes import deciders_of as deciders_of
from tracker.four_eyes import decides_as as decides_as
from tracker.four_eyes import is_party as is_party
from tracker.four_eyes import may_decide as may_decide
from tracker.four_eyes import may_decide_where as may_decide_where
from tracker.four_eyes import team_managers as team_managers
from tracker.models import Integration, Role, Scope, TeamManager, User
from tracker.roles_held import holds as holds

F = TypeVar("F", bound=Callable[..., Any])


class Denied(Exception):
    """The caller may not do this; `status` is what the surface answers."""

    status = 403

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotVisible(Denied):
    """The caller may not see the thing at all: answered like a missing row."""

    status = 404


class NotAllowed(Denied):
    """The caller may see the thing but not do this to it."""

    status = 403


def allowed_by(rule: Callable[[User], bool]) -> Callable[[F], F]:
    """Let in logged-in people for whom `rule` (a rule of this module) holds; others get 403.

    The view keeps the rule as `permission`, so what guards it can be read off the view.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not rule(current_user._get_current_object()):
                abort(403)
            return view(*args, **kwargs)

        guarded = login_required(wrapped)
        guarded.permission = rule
        return cast(F, guarded)

    return decorator


def role_required(*roles: Role) -> Callable[[F], F]:
    """Let in logged-in people holding any of `roles` (admins always); refuse others with 403."""
    return allowed_by(lambda user: holds(user, *roles))


def require(allowed: bool, message: str) -> None:
    """Raise NotAllowed with `message` unless `allowed`."""
    if not allowed:
        raise NotAllowed(message)


def managed_teams(user: User) -> Select[int]:
    """Return the query for the ids of the teams `user` manages (none without the role)."""
    query = select(TeamManager.team_id).where(TeamManager.user_id == user.id)
    return query if user.has_role(Role.MANAGER) else query.where(false())


def managed_team_ids(user: User) -> set[int]:
    """Return the ids of the teams `user` manages (read once per request: `session_memo`)."""
    if not user.has_role(Role.MANAGER):
        return set()
    query = managed_teams(user)
    teams = session_memo.kept(_managed(user), lambda: frozenset(db.session.scalars(query)))
    return set(teams)


def remember_managed(user: User, team_ids: set[int]) -> None:
    """Keep the ids of the teams `user` manages, read with the person, for `managed_team_ids`.

    Kept like its own answer: until the session writes, commits or rolls back.
    """
    session_memo.keep(_managed(user), frozenset(team_ids))


def _managed(user: User) -> tuple[str, int]:
    """Return the session_memo key of the teams `user` manages."""
    return ("managed", user.id)


def manages(manager: User, engineer: User) -> bool:
    """Return True when `manager` manages the team `engineer` belongs to."""
    if engineer.team_id is None or not manager.has_role(Role.MANAGER):
        return False
    return db.session.get(TeamManager, (engineer.team_id, manager.id)) is not None


def sees_everyone(viewer: User) -> bool:
    """Return True for L&D and admins, who may see every team and engineer."""
    return holds(viewer, Role.LD)


def visible_team_ids(viewer: User) -> set[int] | None:
    """Return the ids of the teams `viewer` may see, or None when they may see every team."""
    return None if sees_everyone(viewer) else managed_team_ids(viewer)


def may_see_engineer(viewer: User, engineer: User) -> bool:
    """Self, their manager, L&D and admins may read an engineer's records."""
    return viewer.id == engineer.id or sees_everyone(viewer) or manages(viewer, engineer)


def may_see_team(viewer: User, team_id: int) -> bool:
    """The team's managers, L&D and admins may see a team."""
    teams = visible_team_ids(viewer)
    return teams is None or team_id in teams


def team_audience(viewer: User, team_id: int) -> str | None:
    """Return how `viewer` sees a team: as one of its "manager"s, as "ld" (L&D and admins, who
    see every team), or None when they may not see it (`may_see_team`)."""
    teams = visible_team_ids(viewer)
    if teams is not None and team_id not in teams:
        return None
    return "manager" if team_id in (managed_team_ids(viewer) if teams is None else teams) else "ld"


def may_keep_records(viewer: User) -> bool:
    """Engineers (and so admins) log, list and withdraw their own evidence and enrol on paths."""
    return holds(viewer, Role.ENGINEER)


def may_record_for(viewer: User, engineer: User) -> bool:
    """The engineer themselves and their manager may record evidence for them."""
    return viewer.id == engineer.id or manages(viewer, engineer)


def may_withdraw(viewer: User, subject_id: int) -> bool:
    """Only its subject withdraws a piece of evidence (who else may see it gets a refusal)."""
    return viewer.id == subject_id


def may_send_again(viewer: User, subject_id: int) -> bool:
    """Only its subject sends rejected evidence again (as a new piece; the rejected one stays)."""
    return viewer.id == subject_id


def may_assign(viewer: User, engineer: User) -> bool:
    """The engineer (enrolling themselves), their manager, L&D and admins may put them on a path."""
    return viewer.id == engineer.id or sees_everyone(viewer) or manages(viewer, engineer)


def may_assign_paths(viewer: User) -> bool:
    """Managers (for their teams), L&D and admins open the assignment page."""
    return holds(viewer, Role.MANAGER, Role.LD)


def may_set_targets(viewer: User, team_id: int) -> bool:
    """A team's managers set its staffing targets; admins, who manage every team, too."""
    return may_administer(viewer) or team_id in managed_team_ids(viewer)


def may_see_teams(viewer: User) -> bool:
    """Managers (their teams), L&D and admins open the team pages (which teams: `may_see_team`)."""
    return holds(viewer, Role.MANAGER, Role.LD)


def may_verify(viewer: User) -> bool:
    """Managers, L&D and admins have a verification queue (which pieces: `may_decide`)."""
    return holds(viewer, Role.MANAGER, Role.LD)


def may_edit_catalogue(viewer: User) -> bool:
    """L&D and admins define the catalogue."""
    return holds(viewer, Role.LD)


def may_administer(viewer: User) -> bool:
    """Only admins manage accounts, teams and others' tokens."""
    return holds(viewer, Role.ADMIN)


def may_manage_tokens(viewer: User, owner_id: int | None) -> bool:
    """A person manages their own API tokens; admins manage everyone's."""
    return viewer.id == owner_id or may_administer(viewer)


def may_send_statements(sender: User | Integration) -> bool:
    """Integrations with the xAPI scope, L&D and admins; engineers, about themselves only."""
    if isinstance(sender, Integration):
        return sender.revoked_at is None and Scope.XAPI in sender.scope_set
    return sender.active and holds(sender, Role.LD, Role.ENGINEER)


def may_sign_in_with_password(user: User) -> bool:
    """Everyone, unless PASSWORD_LOGIN=admins keeps passwords for admins (a break-glass way in)."""
    return current_app.config.get("PASSWORD_LOGIN") != "admins" or user.has_role(Role.ADMIN)


def may_provision(who: User | Integration) -> bool:
    """Only a live integration holding the SCIM scope provisions people and teams; no person."""
    return isinstance(who, Integration) and who.revoked_at is None and Scope.SCIM in who.scope_set


def may_send_statement_about(sender: User | Integration, subject_id: int | None) -> bool:
    """An engineer's token reports on that engineer alone; the others on anyone, even unknown."""
    if isinstance(sender, Integration) or holds(sender, Role.LD):
        return True
    return subject_id == sender.id


def may_map_statements(viewer: User) -> bool:
    """L&D and admins map the statements that matched no person or module."""
    return viewer.has_role(Role.LD, Role.ADMIN)


def visible_engineer(viewer: User, *, email: str | None = None, user_id: int | None = None) -> User:
    """Return the person named by email or id when `viewer` may see them; NotVisible otherwise."""
    engineer: User | None
    if email is not None:
        # No stored email holds a NUL, and PostgreSQL refuses one in a query: nobody by that name.
        wanted = email.strip().lower()
        query = db.select(User).where(User.email == wanted)
        engineer = db.session.scalar(query) if "\x00" not in wanted else None
        label = repr(email)
    else:
        engineer = db.session.get(User, user_id) if user_id is not None else None
        label = str(user_id)
    if engineer is None or not may_see_engineer(viewer, engineer):
        raise NotVisible(f"There is no engineer {label} you can see.")
    return engineer
