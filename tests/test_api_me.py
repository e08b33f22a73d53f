"""GET /api/v1/me: the caller, their roles, their team and the teams they manage."""

from __future__ import annotations

import pytest

from tracker.extensions import db
from tracker.models import Role
from tracker.operations.tokens import issue_token


def get_me(client, user):
    _, secret = issue_token(user, "me")
    db.session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    return response.get_json()


def test_an_engineer_sees_their_roles_and_team(client, make_user, make_team):
    engineer = make_user(email="eng@corp.test", name="Eng", roles=[Role.ENGINEER])
    team = make_team(name="Payments", members=[engineer])
    assert get_me(client, engineer) == {
        "email": "eng@corp.test",
        "name": "Eng",
        "roles": ["engineer"],
        "team": {"id": team.id, "name": "Payments"},
        "manages": [],
    }


def test_a_manager_sees_the_teams_they_manage(client, make_user, make_team):
    manager = make_user(roles=[Role.MANAGER, Role.ENGINEER])
    payments = make_team(name="Payments", managers=[manager], members=[manager])
    search = make_team(name="Search", managers=[manager])
    make_team(name="Other")
    me = get_me(client, manager)
    assert me["roles"] == ["engineer", "manager"]
    assert me["team"] == {"id": payments.id, "name": "Payments"}
    assert me["manages"] == [
        {"id": payments.id, "name": "Payments"},
        {"id": search.id, "name": "Search"},
    ]


def test_a_person_without_a_team_has_a_null_team(client, make_user):
    me = get_me(client, make_user(roles=[Role.LD, Role.ADMIN]))
    assert me["team"] is None
    assert me["roles"] == ["ld", "admin"]
    assert me["manages"] == []


@pytest.mark.parametrize("teams", [1, 6])
def test_me_takes_a_fixed_number_of_queries(client, make_user, make_team, count_statements, teams):
    manager = make_user(roles=[Role.MANAGER])
    for n in range(teams):
        make_team(name=f"Team {n}", managers=[manager], members=[manager] if n == 0 else [])
    _, secret = issue_token(manager, "count")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    client.get("/api/v1/me", headers=headers)  # records the first use
    with count_statements() as counter:
        response = client.get("/api/v1/me", headers=headers)
    assert len(response.get_json()["manages"]) == teams
    assert counter.count <= 4, counter.statements
