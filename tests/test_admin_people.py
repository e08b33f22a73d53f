"""Admins add, edit and deactivate people and form teams; every change is audited."""

import re

from tracker.extensions import db
from tracker.models import AuditEvent, OneTimeLink, Role, Team, TeamManager, User

LINK = re.compile(r"http://localhost(/auth/set-password/[\w-]+)")


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
    person = db.session.scalar(db.select(User).where(User.email == "new.person@corp.test"))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/people/{person.id}/link"
    shown = client.get(response.headers["Location"])
    assert shown.headers["Cache-Control"] == "no-store"
    link = LINK.search(shown.get_data(as_text=True))
    assert person.password_hash is None and person.roles == {Role.ENGINEER}
    assert db.session.scalar(db.select(OneTimeLink).where(OneTimeLink.user_id == person.id))
    assert "person.created" in actions()
    client.post("/auth/logout")
    opened = client.get(link.group(1))
    assert opened.status_code == 200 and "For new.person@corp.test" in opened.get_data(as_text=True)
    form = {"password": "a fine passphrase", "confirm": "a fine passphrase"}
    assert client.post(link.group(1), data=form).status_code == 302
    assert client.get("/").status_code == 200


def link_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(OneTimeLink))


def test_reloading_the_link_page_shows_the_link_no_more_and_makes_nothing(
    client, make_user, login_as
):
    login_as(make_user(roles=[Role.ADMIN]))
    data = {"email": "new@corp.test", "name": "New", "roles": ["engineer"], "team_id": ""}
    location = client.post("/admin/people/new", data=data).headers["Location"]
    assert LINK.search(client.get(location).get_data(as_text=True))
    reload = client.get(location)
    assert reload.status_code == 200 and reload.headers["Cache-Control"] == "no-store"
    page = reload.get_data(as_text=True)
    assert not LINK.search(page)
    assert "This link was shown once and is no longer available" in page
    assert 'action="/admin/people/' in page and "Send a new link" in page
    people = db.session.scalars(db.select(User.email).where(User.email == "new@corp.test"))
    assert len(people.all()) == 1 and link_count() == 1


def test_a_fresh_link_is_shown_once_after_a_redirect_and_works(client, make_user, login_as):
    person = make_user(email="forgot@corp.test", name="Forgetful")
    login_as(make_user(roles=[Role.ADMIN]))
    response = client.post(f"/admin/people/{person.id}/invite")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/people/{person.id}/link"
    link = LINK.search(client.get(response.headers["Location"]).get_data(as_text=True))
    gone = client.get(response.headers["Location"]).get_data(as_text=True)
    assert not LINK.search(gone) and "no longer available" in gone
    assert link_count() == 1 and actions().count("person.invited") == 1
    client.post("/auth/logout")
    opened = client.get(link.group(1))
    assert opened.status_code == 200 and "For forgot@corp.test" in opened.get_data(as_text=True)


def test_the_link_page_of_another_person_does_not_show_a_link(client, make_user, login_as):
    first, second = make_user(), make_user()
    login_as(make_user(roles=[Role.ADMIN]))
    client.post(f"/admin/people/{first.id}/invite")
    page = client.get(f"/admin/people/{second.id}/link").get_data(as_text=True)
    assert not LINK.search(page) and "no longer available" in page
    assert client.get("/admin/people/999999/link").status_code == 404


def test_a_deactivated_person_gets_no_link(client, make_user, login_as):
    person = make_user(active=False)
    login_as(make_user(roles=[Role.ADMIN]))
    assert client.post(f"/admin/people/{person.id}/invite").status_code == 409
    assert link_count() == 0
    page = client.get(f"/admin/people/{person.id}/link").get_data(as_text=True)
    assert not LINK.search(page) and "Send a new link" not in page


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
