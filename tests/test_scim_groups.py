"""SCIM Groups are teams: members are the team's people, managers travel in an extension."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Role,
    StaffingTarget,
    StandingCount,
    TargetRole,
    Team,
    TeamManager,
    TeamVersion,
    User,
)
from tracker.operations.tokens import create_integration

SCIM = "application/scim+json"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
MANAGERS = "urn:ietf:params:scim:schemas:extension:tracker:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture
def scim(app, client):
    _, secret = create_integration("Directory", ["scim"], None)
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}

    def call(method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body)
        return client.open(
            f"/scim/v2{path}", method=method, data=data, content_type=SCIM, headers=headers
        )

    return call


def group(name: str, members: list[User] = (), managers: list[User] | None = None) -> dict:
    body: dict[str, Any] = {
        "schemas": [GROUP],
        "displayName": name,
        "members": [{"value": str(p.id)} for p in members],
    }
    if managers is not None:
        body["schemas"].append(MANAGERS)
        body[MANAGERS] = {"managers": [{"value": str(p.id)} for p in managers]}
    return body


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH], "Operations": list(operations)}


def managers_of(team_id: int) -> set[int]:
    query = db.select(TeamManager.user_id).where(TeamManager.team_id == team_id)
    return set(db.session.scalars(query))


def actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_created_group_is_a_team_with_its_members_and_managers(scim, make_user):
    lead = make_user(roles=[Role.MANAGER, Role.ENGINEER])
    ada, bo = make_user(), make_user()
    response = scim("POST", "/Groups", group("Payments", [ada, bo], managers=[lead]))
    assert response.status_code == 201
    body = response.get_json()
    team = db.session.get(Team, int(body["id"]))
    assert team.name == "Payments"
    db.session.refresh(ada)
    db.session.refresh(bo)
    assert ada.team_id == bo.team_id == team.id
    assert managers_of(team.id) == {lead.id}
    assert sorted(m["value"] for m in body["members"]) == sorted([str(ada.id), str(bo.id)])
    assert body[MANAGERS] == {"managers": [{"value": str(lead.id)}]}
    assert {"team.created", "team.managers_changed", "team.changed"} <= set(actions())


def test_adding_a_member_moves_them_from_their_team(scim, make_user, make_team):
    ada = make_user()
    old = make_team(name="Old", members=[ada])
    new = make_team(name="New")
    response = scim(
        "PATCH",
        f"/Groups/{new.id}",
        patch({"op": "add", "path": "members", "value": [{"value": str(ada.id)}]}),
    )
    assert response.status_code == 200
    db.session.refresh(ada)
    assert ada.team_id == new.id
    members = scim("GET", f"/Groups/{old.id}").get_json().get("members")
    assert members is None


def test_removing_a_member_leaves_them_without_a_team(scim, make_user, make_team):
    ada, bo = make_user(), make_user()
    team = make_team(members=[ada, bo])
    operation = {"op": "remove", "path": f'members[value eq "{ada.id}"]'}
    assert scim("PATCH", f"/Groups/{team.id}", patch(operation)).status_code == 200
    db.session.refresh(ada)
    db.session.refresh(bo)
    assert ada.team_id is None and bo.team_id == team.id


def test_put_renames_and_replaces_members_and_keeps_managers_it_does_not_mention(
    scim, make_user, make_team
):
    lead = make_user(roles=[Role.MANAGER])
    ada, bo = make_user(), make_user()
    team = make_team(name="Old", managers=[lead], members=[ada])
    response = scim("PUT", f"/Groups/{team.id}", group("New", [bo]))
    assert response.status_code == 200
    db.session.refresh(team)
    db.session.refresh(ada)
    db.session.refresh(bo)
    assert team.name == "New" and ada.team_id is None and bo.team_id == team.id
    assert managers_of(team.id) == {lead.id}
    assert "team.renamed" in actions()


def test_the_managers_extension_sets_the_teams_managers(scim, make_user, make_team):
    first, second = (make_user(roles=[Role.MANAGER]) for _ in range(2))
    team = make_team(managers=[first])
    operation = {
        "op": "replace",
        "path": f"{MANAGERS}:managers",
        "value": [{"value": str(second.id)}],
    }
    assert scim("PATCH", f"/Groups/{team.id}", patch(operation)).status_code == 200
    assert managers_of(team.id) == {second.id}


def test_a_manager_without_the_manager_role_is_refused_by_name(scim, make_user, make_team):
    engineer = make_user(email="eng@corp.test")
    team = make_team(name="Payments")
    response = scim("PUT", f"/Groups/{team.id}", group("Payments", managers=[engineer]))
    assert response.status_code == 400
    body = response.get_json()
    assert body["scimType"] == "invalidValue" and "eng@corp.test" in body["detail"]
    assert managers_of(team.id) == set()
    assert Role.MANAGER not in db.session.get(User, engineer.id).roles


def test_an_unknown_member_is_refused_and_nothing_changes(scim, make_user, make_team):
    ada = make_user()
    team = make_team(name="Payments")
    response = scim(
        "PUT",
        f"/Groups/{team.id}",
        {
            "schemas": [GROUP],
            "displayName": "Renamed",
            "members": [{"value": str(ada.id)}, {"value": "999999"}],
        },
    )
    assert response.status_code == 400 and response.get_json()["scimType"] == "invalidValue"
    db.session.refresh(team)
    db.session.refresh(ada)
    assert team.name == "Payments" and ada.team_id is None


def test_the_list_filters_by_display_name(scim, make_team):
    make_team(name="Payments")
    make_team(name="Search")
    body = scim("GET", '/Groups?filter=displayName eq "search"').get_json()
    assert body["totalResults"] == 1 and body["Resources"][0]["displayName"] == "Search"


def test_deleting_a_group_keeps_its_people_and_removes_its_targets_audited(
    scim, make_user, make_team, scored_team
):
    team_id = scored_team["team"].id
    people = [p.id for p in scored_team["people"]]
    target = db.session.scalar(db.select(StaffingTarget).where(StaffingTarget.team_id == team_id))
    assert target is not None
    target_id, count, by, role = target.id, target.count, target.by, target.role_id
    response = scim("DELETE", f"/Groups/{team_id}")
    assert response.status_code == 204
    db.session.expire_all()
    assert db.session.get(Team, team_id) is None
    for person_id in people:
        person = db.session.get(User, person_id)
        assert person is not None and person.team_id is None
    assert managers_of(team_id) == set()
    for table in (StaffingTarget, TeamVersion, StandingCount):
        assert not db.session.scalars(db.select(table).where(table.team_id == team_id)).all()
    detail = db.session.scalar(
        db.select(AuditEvent.detail).where(AuditEvent.action == "target.deleted")
    )
    key = db.session.get(TargetRole, role).key
    assert detail.startswith(f"target {target_id}: {count} {key} by {by}")
    assert "team.deleted" in actions()
    assert scim("GET", f"/Groups/{team_id}").status_code == 404


def test_a_team_name_in_use_is_a_uniqueness_conflict(scim, make_team):
    make_team(name="Payments")
    response = scim("POST", "/Groups", group("Payments"))
    assert response.status_code == 409 and response.get_json()["scimType"] == "uniqueness"
    assert db.session.scalar(db.select(db.func.count(Team.id))) == 1


def test_listing_groups_takes_as_many_statements_for_many_teams_as_for_few(
    scim, make_user, make_team, count_statements
):
    def statements() -> int:
        with count_statements() as counter:
            assert scim("GET", "/Groups").status_code == 200
        return counter.count

    lead = make_user(roles=[Role.MANAGER])
    make_team(managers=[lead], members=[make_user()])
    scim("GET", "/Groups")  # the token's first use is written down
    few = statements()
    for _ in range(10):
        make_team(managers=[lead], members=[make_user(), make_user()])
    assert statements() == few
