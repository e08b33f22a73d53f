"""Four eyes: whoever decides a piece of evidence is never its subject nor who recorded it.

The rule, asked through `tracker.policy` by every surface: the eligible managers of the
subject's team (active, still holding the manager role, neither party) decide; where the team
has none, L&D and admins do. `may_decide` answers it for one viewer and piece in Python;
`may_decide_where` is the same rule as a SQL condition on a piece's team, subject and recorder,
so that a count of what waits for someone is one statement whatever the company's size.
tests/test_one_policy.py checks that the two agree on every combination of subject, recorder
and viewer of its organisation, inactive and former managers and a team without one included.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    and_,
    bindparam,
    exists,
    false,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.models import Role, TeamManager, User
from tracker.roles_held import holds


@dataclass(frozen=True)
class Deciders:
    """Who decides a piece of evidence: managers of the subject's team, or L&D when none may."""

    managers: frozenset[int]  # eligible managers of the team
    ld: bool  # True when no manager may, so L&D (or an admin) decides


def is_party(person_id: int, subject_id: int, recorder_id: int | None) -> bool:
    """Return True when `person_id` is the evidence's subject or recorder: never its decider."""
    return person_id in (subject_id, recorder_id)


def deciders(subject_id: int, recorder_id: int | None, team_managers: Iterable[int]) -> Deciders:
    """Return who may decide evidence about `subject_id` recorded by `recorder_id` (pure)."""
    eligible = frozenset(m for m in team_managers if not is_party(m, subject_id, recorder_id))
    return Deciders(eligible, not eligible)


def may_decide(viewer: User, subject_id: int, recorder_id: int | None, who: Deciders) -> bool:
    """Return True when `viewer` may verify or reject this evidence."""
    if is_party(viewer.id, subject_id, recorder_id):
        return False
    if viewer.id in who.managers and viewer.has_role(Role.MANAGER):
        return True
    return who.ld and holds(viewer, Role.LD)


def _managing(link: Any = TeamManager, person: Any = User) -> Select[int, int]:
    """Return the select of (team, manager) of every manager who may decide: an active person
    still holding the role (otherwise L&D decides). `link` and `person` may be aliases."""
    managing = select(link.team_id, link.user_id).join(person, person.id == link.user_id)
    return managing.where(person.active.is_(True), person.role_links.any(role=Role.MANAGER))


def team_managers(team_ids: Collection[int | None]) -> dict[int, set[int]]:
    """Return the manager ids of each of these teams who may decide (one statement)."""
    ids = [t for t in team_ids if t is not None]
    out: dict[int, set[int]] = {t: set() for t in ids}
    if ids:
        for team_id, user_id in db.session.execute(_managers_of_teams(), {"teams": ids}):
            out[team_id].add(user_id)
    return out


@cache
def _managers_of_teams() -> Select[int, int]:
    """The statement `team_managers` runs, built once: it is asked for on every page."""
    return _managing().where(TeamManager.team_id.in_(bindparam("teams", expanding=True)))


def deciders_of(subject: User, recorder_id: int | None) -> Deciders:
    """Return who may decide evidence about `subject` recorded by `recorder_id`."""
    managers = team_managers([subject.team_id]).get(subject.team_id or 0, set())
    return deciders(subject.id, recorder_id, managers)


def decides_as(viewer: User) -> tuple[bool, bool]:
    """Return whether `viewer` may decide as a manager of their teams, and as L&D.

    What `may_decide_where` needs of the viewer besides their id (so a statement built from it
    can be kept and bound to any viewer who decides the same ways).
    """
    return viewer.active and viewer.has_role(Role.MANAGER), holds(viewer, Role.LD)


def may_decide_where(
    ways: tuple[bool, bool],
    viewer_id: Any,
    team_id: SQLColumnExpression[Any],
    subject_id: SQLColumnExpression[Any],
    recorder_id: SQLColumnExpression[Any],
) -> ColumnElement[bool]:
    """Return `may_decide` as SQL for a viewer who decides in `ways` (`decides_as`).

    `viewer_id` is the viewer's id (a bound parameter, say); the other three are columns of a
    piece of evidence: its subject's team, its subject and its recorder. Never a party; as a
    manager, in a team they manage (`team_managers` holds an active manager only); as L&D,
    where no manager of the team may decide it.
    """
    as_manager, as_ld = ways
    party = or_(subject_id == viewer_id, and_(recorder_id.is_not(None), recorder_id == viewer_id))
    allowed = []
    if as_manager:
        link = aliased(TeamManager, name="viewer_link")
        allowed.append(team_id.in_(select(link.team_id).where(link.user_id == viewer_id)))
    if as_ld:  # its own aliases: a query that names people or teams is not correlated with them
        link, person = aliased(TeamManager, name="deciding_link"), aliased(User, name="decider")
        eligible = _managing(link, person).where(
            link.team_id == team_id,
            link.user_id != subject_id,
            or_(recorder_id.is_(None), link.user_id != recorder_id),
        )
        allowed.append(~exists(eligible))
    return and_(~party, or_(*allowed)) if allowed else false()
