"""Admins add, edit and deactivate people and form teams; every change is audited."""

import re

from tracker.extensions import db
from tracker.models import AuditEvent, OneTimeLink, Role, Team, TeamManager, User


def actions():
    return db.session.scalars(db.select(AuditEvent.action)).all()


def test_adding_a_person_shows_a_working_invitation_link(client, make_user, login_as):
    login_as(make_user(roles=[Role.ADMIN]))
    response = client.post(
        "/admin/people/new",
        data={
            "email": "New.Person@corp.test",
            "name": "New Person",
            "roles": ["engineer"],
            "team_id": "",
        },
    )
    assert response.status_code == 200
    link = re.search(
        r"http://localhost(/auth/set-password/[\w-]+)", response.get_data(as_text=True)
    )
    person = db.session.scalar(db.select(User).where(User.email == "new.person@corp.test"))
    assert person.password_hash is None and person.roles == {Role.ENGINEER}
    assert db.session.scalar(db.select(OneTimeLink).where(OneTimeLink.user_id == person.id))
    assert "person.created" in actions()
    client.post("/auth/logout")
    form = {"password": "a fine passphrase", "confirm": "a fine passphrase"}
    assert client.post(link.group(1), data=form).status_code == 302
    assert client.get("/").status_code == 200


def test_a_duplicate_email_is_refused_with_the_field_named(client, make_user, login_as):
    make_user(email="taken@corp.test")
    login_as(make_user(roles=[Role.ADMIN]))
    response = client.post(
        "/admin/people/new",
        data={"email": "TAKEN@corp.test", "name": "Copy", "roles": ["engineer"], "team_id": ""},
    )
    assert "already has an account" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 2


def test_editing_roles_and_team_is_audited(client, make_user, make_team, login_as):
    team = make_team(name="Data")
    person = make_user(roles=[Role.ENGINEER])
    login_as(make_user(roles=[Role.ADMIN]))
    response = client.post(
        f"/admin/people/{person.id}",
        data={"name": "Renamed", "roles": ["engineer", "manager"], "team_id": str(team.id)},
    )
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.name == "Renamed" and person.roles == {Role.ENGINEER, Role.MANAGER}
    assert person.team_id == team.id
    assert {"role.changed", "team.changed"} <= set(actions())


def test_an_admin_cannot_remove_their_own_admin_role(client, make_user, login_as):
    admin = make_user(roles=[Role.ADMIN])
    login_as(admin)
    response = client.post(
        f"/admin/people/{admin.id}", data={"name": admin.name, "roles": ["engineer"], "team_id": ""}
    )
    assert response.status_code == 400
    assert "You cannot remove your own admin role." in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.roles == {Role.ADMIN}
    assert "role.changed" not in actions()


def test_an_admin_cannot_deactivate_themselves(client, make_user, login_as):
    admin = make_user(roles=[Role.ADMIN])
    response = login_as(admin).post(f"/admin/people/{admin.id}/deactivate")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You cannot deactivate your own account." in page
    db.session.refresh(admin)
    assert admin.active
    assert "person.deactivated" not in actions()


def test_an_admin_may_take_the_admin_role_from_another_admin(client, make_user, login_as):
    other = make_user(roles=[Role.ADMIN, Role.ENGINEER])
    login_as(make_user(roles=[Role.ADMIN]))
    response = client.post(
        f"/admin/people/{other.id}", data={"name": other.name, "roles": ["engineer"], "team_id": ""}
    )
    assert response.status_code == 302
    db.session.refresh(other)
    assert other.roles == {Role.ENGINEER}
    assert "role.changed" in actions()


def test_deactivating_a_person_ends_their_sessions_and_keeps_them(app, make_user, login_as):
    person = make_user()
    theirs = app.test_client()
    with theirs.session_transaction() as sess:
        sess["_user_id"] = person.get_id()
        sess["login_at"] = sess["seen_at"] = 2**40  # far future: only the epoch can end it
    login_as(make_user(roles=[Role.ADMIN])).post(f"/admin/people/{person.id}/deactivate")
    assert theirs.get("/").status_code == 302
    db.session.refresh(person)
    assert person.active is False and "person.deactivated" in actions()


def test_teams_are_created_with_managers_holding_the_manager_role(client, make_user, login_as):
    boss = make_user(name="Boss", roles=[Role.MANAGER])
    engineer = make_user(name="Not a manager", roles=[Role.ENGINEER])
    login_as(make_user(roles=[Role.ADMIN]))
    page = client.get("/admin/teams/new").get_data(as_text=True)
    assert "Boss" in page and "Not a manager" not in page
    refused = client.post("/admin/teams/new", data={"name": "Data", "managers": [str(engineer.id)]})
    assert refused.status_code == 200 and db.session.scalar(db.select(Team)) is None
    assert (
        client.post(
            "/admin/teams/new", data={"name": "Data", "managers": [str(boss.id)]}
        ).status_code
        == 302
    )
    team = db.session.scalar(db.select(Team).where(Team.name == "Data"))
    assert db.session.get(TeamManager, (team.id, boss.id))


def test_team_names_are_unique(client, make_user, make_team, login_as):
    make_team(name="Data")
    login_as(make_user(roles=[Role.ADMIN]))
    page = client.post("/admin/teams/new", data={"name": "Data"}).get_data(as_text=True)
    assert "Another team already has this name." in page


def test_people_list_searches_by_name_and_email(client, make_user, login_as):
    make_user(name="Grace Hopper", email="grace@corp.test")
    make_user(name="Alan Turing", email="alan@corp.test")
    login_as(make_user(roles=[Role.ADMIN], name="Admin"))
    page = client.get("/admin/people?q=hopper").get_data(as_text=True)
    assert "Grace Hopper" in page and "Alan Turing" not in page


def test_the_audit_page_lists_events(client, make_user, login_as):
    login_as(make_user(roles=[Role.ADMIN]))
    client.get("/admin/teams/new")
    client.post("/admin/teams/new", data={"name": "Data"})
    assert "team.created" in client.get("/admin/audit").get_data(as_text=True)


def test_search_text_is_data_never_sql(client, make_user, login_as):
    """Quotes, comments and LIKE wildcards in a search match as text."""
    make_user(name="Grace Hopper", email="grace@corp.test")
    make_user(name="100% Alan_T", email="alan@corp.test")
    login_as(make_user(roles=[Role.ADMIN], name="Admin Person", email="admin@corp.test"))
    for probe in ("' OR '1'='1", "%", "_", "grace' --", '"; DROP TABLE users; --'):
        page = client.get("/admin/people", query_string={"q": probe})
        assert page.status_code == 200, probe
        assert "Grace Hopper" not in page.get_data(as_text=True), probe
    assert "Grace Hopper" in client.get("/admin/people?q=grace").get_data(as_text=True)
    page = client.get("/admin/people", query_string={"q": "0% alan_"}).get_data(as_text=True)
    assert "100% Alan_T" in page and "Grace Hopper" not in page


def test_the_audit_filter_matches_wildcards_as_text(client, make_user, login_as):
    login_as(make_user(roles=[Role.ADMIN]))
    client.post("/admin/teams/new", data={"name": "Data"})
    wildcard = client.get("/admin/audit", query_string={"action": "%"}).get_data(as_text=True)
    assert "<code>team.created</code>" not in wildcard
    prefix = client.get("/admin/audit", query_string={"action": "team."}).get_data(as_text=True)
    assert "<code>team.created</code>" in prefix
