"""The Groups resource: teams. POST, GET (one or a filtered, paged list), PUT, PATCH, DELETE.

members are the team's people (value = the User id); adding a person moves them from their
team. The team's managers travel in the extension `mapping.MANAGERS_URN`; a request without the
extension leaves them as they are.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import Response
from scim2_models import Context, PatchOp

from tracker.extensions import db
from tracker.models import Team, TeamManager, User
from tracker.scim import bp
from tracker.scim.auth import MEDIA_TYPE, Refused
from tracker.scim.mapping import TeamGroup, as_group, manager_ids_of, member_ids_of
from tracker.scim.protocol import (
    id_equals,
    json_body,
    listed,
    one,
    page_arguments,
    parse,
    selected,
)
from tracker.scim.provisioning import row_id
from tracker.scim.teams import checked_group, delete_team, save_group

FILTERS = {
    "displayName": Team.name,
    "externalId": Team.external_id,
    "id": id_equals(Team.id),
}


@bp.post("/Groups")
def create_group() -> Response:
    """Create a team with its members and managers (201)."""
    group = parse(TeamGroup, json_body(), Context.RESOURCE_CREATION_REQUEST)
    team = _save(None, group)
    db.session.commit()
    return one(_group(team), Context.RESOURCE_CREATION_RESPONSE, 201)


@bp.get("/Groups/<team_id>")
def get_group(team_id: str) -> Response:
    """One team."""
    return one(_group(_team(team_id)), Context.RESOURCE_QUERY_RESPONSE)


@bp.get("/Groups")
def list_groups() -> Response:
    """Teams, by id, filtered and paged, with their members and managers."""
    page = page_arguments()
    total, teams = selected(db.select(Team), page, FILTERS, Team.id)
    members, managers = _people_of([t.id for t in teams])
    resources = [as_group(t, members[t.id], managers[t.id]) for t in teams]
    return listed(TeamGroup, resources, total, page)


@bp.put("/Groups/<team_id>")
def replace_group(team_id: str) -> Response:
    """Replace a team's name, externalId, members and (with the extension) managers."""
    team = _team(team_id)
    group = parse(TeamGroup, json_body(), Context.RESOURCE_REPLACEMENT_REQUEST)
    _save(team, group)
    db.session.commit()
    return one(_group(team), Context.RESOURCE_REPLACEMENT_RESPONSE)


@bp.patch("/Groups/<team_id>")
def patch_group(team_id: str) -> Response:
    """Apply add, replace and remove operations: rename, move people in or out, set managers."""
    team = _team(team_id)
    patch = parse(PatchOp[TeamGroup], json_body(), Context.RESOURCE_PATCH_REQUEST)
    group = _group(team)
    patch.patch(group)
    _save(team, group, managers_kept_if_absent=False)
    db.session.commit()
    return one(_group(team), Context.RESOURCE_PATCH_RESPONSE)


@bp.delete("/Groups/<team_id>")
def delete_group(team_id: str) -> Response:
    """Delete a team; its people stay, without a team, with their evidence."""
    delete_team(_team(team_id))
    db.session.commit()
    return Response(status=204, mimetype=MEDIA_TYPE)


def _save(team: Team | None, group: Any, managers_kept_if_absent: bool = True) -> Team:
    name = checked_group(team, group.display_name, group.external_id)
    managers = manager_ids_of(group)
    if managers is None and not managers_kept_if_absent:
        managers = []  # a patch removed the extension: no managers
    return save_group(team, name, group.external_id, member_ids_of(group), managers)


def _team(team_id: str) -> Team:
    number = row_id(team_id)
    team = db.session.get(Team, number) if number is not None else None
    if team is None:
        raise Refused(404, f"There is no Group {team_id}.")
    return team


def _group(team: Team) -> Any:
    members, managers = _people_of([team.id])
    return as_group(team, members[team.id], managers[team.id])


def _people_of(team_ids: list[int]) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """The provisioned members and the managers of these teams (two statements)."""
    members: dict[int, list[int]] = defaultdict(list)
    managers: dict[int, list[int]] = defaultdict(list)
    if team_ids:
        rows = db.session.execute(
            db.select(User.team_id, User.id).where(
                User.team_id.in_(team_ids), User.deprovisioned_at.is_(None)
            )
        )
        for team_id, user_id in rows:
            members[team_id].append(user_id)
        for team_id, user_id in db.session.execute(
            db.select(TeamManager.team_id, TeamManager.user_id).where(
                TeamManager.team_id.in_(team_ids)
            )
        ):
            managers[team_id].append(user_id)
    return members, managers
