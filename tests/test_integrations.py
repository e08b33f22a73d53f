"""Integration accounts: `flask integrations create|list|revoke` and the admin page."""

from __future__ import annotations

import base64
import re
import time

import pytest

from config import TestingConfig
from tests.conftest import IsolatedClient
from tests.factories import make_user as create_user
from tracker import create_app
from tracker.extensions import db
from tracker.models import ApiToken, AuditEvent, Integration, Role
from tracker.operations.tokens import create_integration, digest, revoke_integration

SECRET = re.compile(r"trk_[A-Za-z0-9_\-]{43}")


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def send_statements(client, secret: str):
    """POST an empty batch to the xAPI intake: 400 once the token is accepted, 401 if not."""
    basic = base64.b64encode(f"anyone:{secret}".encode()).decode()
    return client.post(
        "/xapi/statements",
        json=[],
        headers={"Authorization": f"Basic {basic}", "X-Experience-API-Version": "1.0.3"},
    )


# The command line


def test_create_prints_a_working_token_once_and_stores_only_its_hash(client, runner):
    result = runner.invoke(args=["integrations", "create", "Course platform", "--scope", "xapi"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert SECRET.fullmatch(secret)
    assert "will not be shown again" in result.stderr and "xapi" in result.stderr
    integration = db.session.scalar(db.select(Integration))
    assert (integration.name, integration.scopes, integration.created_by_id) == (
        "Course platform",
        "xapi",
        None,
    )
    token = db.session.scalar(db.select(ApiToken))
    assert token.integration_id == integration.id and token.user_id is None
    assert token.token_hash == digest(secret) != secret
    event = db.session.scalar(db.select(AuditEvent))
    assert event.action == "integration.created" and secret not in event.detail
    assert send_statements(client, secret).status_code == 400


def test_create_takes_several_scopes(runner):
    args = ["integrations", "create", "Directory", "--scope", "scim", "--scope", "xapi"]
    assert runner.invoke(args=args).exit_code == 0
    assert db.session.scalar(db.select(Integration.scopes)) == "scim xapi"


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["Course platform", "--scope", "xapi"], "already exists"),
        (["Course/platform", "--scope", "xapi"], "The name must be"),
        (["Reporting", "--scope", "reports"], "reports is not one"),
        (["Reporting"], "Choose scopes among scim, xapi"),
    ],
)
def test_bad_input_to_create_exits_non_zero_with_one_line_and_changes_nothing(runner, args, reason):
    create_integration("Course platform", ["xapi"], None)
    db.session.commit()
    before = (count(Integration), count(ApiToken), count(AuditEvent))
    result = runner.invoke(args=["integrations", "create", *args])
    assert result.exit_code != 0
    assert result.stdout == ""
    assert reason in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert (count(Integration), count(ApiToken), count(AuditEvent)) == before


def test_list_shows_scopes_state_and_last_use(client, runner, make_user):
    admin = make_user(roles=[Role.ADMIN])
    _, secret = create_integration("Course platform", ["xapi"], admin)
    old, _ = create_integration("Old directory", ["scim"], None)
    revoke_integration(old, None)
    db.session.commit()
    send_statements(client, secret)
    result = runner.invoke(args=["integrations", "list"])
    assert result.exit_code == 0, result.output
    header, live, revoked = result.stdout.strip().splitlines()
    assert header.split() == ["NAME", "SCOPES", "CREATED", "STATE", "LAST", "USED"]
    assert live.startswith("Course platform") and " live " in live
    assert not live.endswith("never") and live.endswith("UTC")  # its token was just used
    assert revoked.startswith("Old directory") and "revoked" in revoked
    assert revoked.endswith("never")
    assert secret not in result.stdout


def test_list_says_when_there_are_none(runner):
    result = runner.invoke(args=["integrations", "list"])
    assert result.exit_code == 0
    assert "No integrations yet" in result.stdout


def test_revoke_stops_every_token_of_the_integration(client, runner):
    _, secret = create_integration("Course platform", ["xapi"], None)
    db.session.commit()
    result = runner.invoke(args=["integrations", "revoke", "Course platform"])
    assert result.exit_code == 0, result.output
    assert "Revoked Course platform" in result.stdout
    assert db.session.scalar(db.select(Integration.revoked_at)) is not None
    assert db.session.scalar(db.select(ApiToken.revoked_at)) is not None
    assert send_statements(client, secret).status_code == 401


@pytest.mark.parametrize(
    ("name", "reason"),
    [("Nobody", "no integration is named 'Nobody'"), ("Old directory", "already revoked")],
)
def test_bad_input_to_revoke_exits_non_zero_with_one_line_and_changes_nothing(runner, name, reason):
    live, _ = create_integration("Course platform", ["xapi"], None)
    old, _ = create_integration("Old directory", ["scim"], None)
    revoke_integration(old, None)
    db.session.commit()
    revoked_at = old.revoked_at
    before = count(AuditEvent)
    result = runner.invoke(args=["integrations", "revoke", name])
    assert result.exit_code != 0
    assert result.stdout == ""
    assert reason in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert count(AuditEvent) == before
    assert db.session.get(Integration, live.id).revoked_at is None
    assert db.session.get(Integration, old.id).revoked_at == revoked_at


# The admin page


@pytest.fixture
def admin(make_user):
    return make_user(email="admin@corp.test", name="Ada Admin", roles=[Role.ADMIN])


def test_an_admin_makes_an_integration_and_sees_its_token_once(client, login_as, admin):
    login_as(admin)
    response = client.post(
        "/admin/integrations", data={"name": " Course platform ", "scope": ["xapi"]}
    )
    integration = db.session.scalar(db.select(Integration))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/integrations/{integration.id}/token"
    assert not SECRET.search(response.get_data(as_text=True))
    shown = client.get(response.headers["Location"])
    assert shown.status_code == 200
    assert shown.headers["Cache-Control"] == "no-store"
    page = shown.get_data(as_text=True)
    secrets = SECRET.findall(page)
    assert len(secrets) == 1
    secret = secrets[0]
    assert "will not be shown again" in page and "/xapi/" in page
    assert (integration.name, integration.scopes) == ("Course platform", "xapi")
    assert integration.created_by_id == admin.id
    token = db.session.scalar(db.select(ApiToken))
    assert token.token_hash == digest(secret) != secret
    event = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "integration.created")
    )
    assert event.actor_id == admin.id and secret not in f"{event.target} {event.detail}"
    again = client.get("/admin/integrations")
    assert again.headers["Cache-Control"] == "no-store"
    listing = again.get_data(as_text=True)
    assert secret not in listing
    assert "Course platform" in listing and token.prefix in listing and "by Ada Admin" in listing
    assert send_statements(client, secret).status_code == 400  # past authentication


def test_reloading_the_token_page_shows_it_no_more_and_makes_nothing(client, login_as, admin):
    login_as(admin)
    made = client.post("/admin/integrations", data={"name": "Course platform", "scope": ["xapi"]})
    first = client.get(made.headers["Location"]).get_data(as_text=True)
    secret = SECRET.search(first).group()
    assert "/xapi/" in first
    reload = client.get(made.headers["Location"])
    assert reload.status_code == 200 and reload.headers["Cache-Control"] == "no-store"
    page = reload.get_data(as_text=True)
    assert not SECRET.search(page)
    assert "This token was shown once and is no longer available" in page
    assert "revoke Course platform and make a new integration" in page
    assert client.get(made.headers["Location"]).status_code == 200
    assert (count(Integration), count(ApiToken)) == (1, 1)
    assert db.session.scalar(db.select(ApiToken.token_hash)) == digest(secret)
    assert send_statements(client, secret).status_code == 400  # past authentication


def test_the_token_page_of_another_integration_shows_no_token(client, login_as, admin):
    other, _ = create_integration("Course platform", ["xapi"], None)
    db.session.commit()
    login_as(admin).post("/admin/integrations", data={"name": "Directory", "scope": ["scim"]})
    page = client.get(f"/admin/integrations/{other.id}/token").get_data(as_text=True)
    assert not SECRET.search(page) and "The token of Course platform" in page
    assert "no longer available" in page
    assert client.get("/admin/integrations/999999/token").status_code == 404


def test_the_list_shows_scopes_last_use_and_state(client, login_as, admin):
    _, secret = create_integration("Course platform", ["xapi"], admin)
    old, _ = create_integration("Old directory", ["scim"], None)
    revoke_integration(old, None)
    db.session.commit()
    send_statements(client, secret)
    page = login_as(admin).get("/admin/integrations").get_data(as_text=True)
    live, revoked = page.split("Course platform", 1)[1].split("Old directory", 1)
    assert "live" in live and "never" not in live and "Revoke Course platform" in live
    assert "revoked" in revoked and "from the command line" in revoked
    assert "Revoke Old directory" not in revoked


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "scope": ["xapi"]}, "name", "Give the integration a name."),
        ({"name": "Course/platform", "scope": ["xapi"]}, "name", "The name must be"),
        ({"name": "Course platform", "scope": ["xapi"]}, "name", "already exists"),
        ({"name": "x" * 81, "scope": ["xapi"]}, "name", "80 characters"),
        ({"name": "Reporting"}, "scope", "Choose at least one scope."),
        ({"name": "Reporting", "scope": ["reports"]}, "scope", "not a valid choice"),
    ],
)
def test_bad_input_on_the_page_is_shown_by_the_field_and_changes_nothing(
    client, login_as, admin, data, field, message
):
    create_integration("Course platform", ["xapi"], None)
    db.session.commit()
    before = (count(Integration), count(ApiToken), count(AuditEvent))
    response = login_as(admin).post("/admin/integrations", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors = re.search(rf'<ul class="errors" id="{field}-error">(.*?)</ul>', page, re.S)
    assert errors and message in errors.group(1)
    assert not SECRET.search(page)
    assert (count(Integration), count(ApiToken), count(AuditEvent)) == before


def test_an_admin_revokes_an_integration_and_its_token_stops(client, login_as, admin):
    integration, secret = create_integration("Course platform", ["xapi"], None)
    db.session.commit()
    response = login_as(admin).post(f"/admin/integrations/{integration.id}/revoke")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/integrations")
    assert db.session.get(Integration, integration.id).revoked_at is not None
    assert send_statements(client, secret).status_code == 401
    page = client.get("/admin/integrations").get_data(as_text=True)
    assert "Revoked Course platform: its tokens no longer work." in page
    event = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "integration.revoked")
    )
    assert event.actor_id == admin.id
    assert client.post(f"/admin/integrations/{integration.id}/revoke").status_code == 302
    assert "was already revoked" in client.get("/admin/integrations").get_data(as_text=True)
    assert count(AuditEvent) == 2  # created, revoked: the second revoke changed nothing
    assert client.post("/admin/integrations/999999/revoke").status_code == 404


def test_revoking_by_get_is_not_allowed(client, login_as, admin):
    integration, _ = create_integration("Course platform", ["xapi"], None)
    db.session.commit()
    assert login_as(admin).get(f"/admin/integrations/{integration.id}/revoke").status_code == 405
    assert db.session.get(Integration, integration.id).revoked_at is None


@pytest.mark.parametrize(
    "roles", [[Role.ENGINEER], [Role.MANAGER, Role.ENGINEER], [Role.LD], [Role.MANAGER, Role.LD]]
)
def test_only_admins_reach_the_page(client, login_as, make_user, roles):
    integration, secret = create_integration("Course platform", ["xapi"], None)
    db.session.commit()
    login_as(make_user(roles=roles))
    assert client.get("/admin/integrations").status_code == 403
    assert client.get(f"/admin/integrations/{integration.id}/token").status_code == 403
    made = client.post("/admin/integrations", data={"name": "Sneaky", "scope": ["xapi"]})
    assert made.status_code == 403
    assert client.post(f"/admin/integrations/{integration.id}/revoke").status_code == 403
    assert count(Integration) == 1 and count(ApiToken) == 1
    assert db.session.get(Integration, integration.id).revoked_at is None
    assert "/admin/integrations" not in client.get("/").get_data(as_text=True)
    assert send_statements(client, secret).status_code == 400  # still live


def test_anonymous_visitors_are_sent_to_log_in(client):
    integration, _ = create_integration("Course platform", ["xapi"], None)
    db.session.commit()
    for response in (
        client.get("/admin/integrations"),
        client.post("/admin/integrations", data={"name": "Sneaky", "scope": ["xapi"]}),
        client.post(f"/admin/integrations/{integration.id}/revoke"),
    ):
        assert response.status_code == 302
        assert "/auth/login" in response.headers["Location"]
    assert count(Integration) == 1
    assert db.session.get(Integration, integration.id).revoked_at is None


def test_admins_find_the_page_in_the_navigation(client, login_as, admin):
    page = login_as(admin).get("/admin/people").get_data(as_text=True)
    assert 'href="/admin/integrations"' in page


def test_integrations_never_appear_among_people(client, login_as, admin):
    create_integration("Course platform", ["xapi"], admin)
    db.session.commit()
    page = login_as(admin).get("/admin/people?q=course").get_data(as_text=True)
    assert "Course platform" not in page and "Nobody matches" in page
    assert "Course platform" not in client.get("/admin/people").get_data(as_text=True)


@pytest.fixture
def csrf_admin(database_url):
    """A client of an app with CSRF on, logged in as an admin; yields (client, admin)."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, WTF_CSRF_ENABLED=True)
    app.test_client_class = IsolatedClient
    with app.app_context():
        admin = create_user(email="csrf-admin@corp.test", roles=[Role.ADMIN])
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"] = admin.get_id()
            sess["_fresh"] = True
            sess["login_at"] = sess["seen_at"] = int(time.time())
        yield client, admin


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_the_forms_need_a_csrf_token(app, csrf_admin):
    client, _ = csrf_admin
    integration, _ = create_integration("Course platform", ["xapi"], None)
    db.session.commit()
    forged = client.post("/admin/integrations", data={"name": "Forged", "scope": ["xapi"]})
    assert forged.status_code == 400
    assert client.post(f"/admin/integrations/{integration.id}/revoke").status_code == 400
    assert count(Integration) == 1
    assert db.session.get(Integration, integration.id).revoked_at is None
    token = csrf_token(client.get("/admin/integrations").get_data(as_text=True))
    made = client.post(
        "/admin/integrations", data={"name": "Real", "scope": ["scim"], "csrf_token": token}
    )
    assert made.status_code == 303
    assert SECRET.search(client.get(made.headers["Location"]).get_data(as_text=True))
    revoked = client.post(
        f"/admin/integrations/{integration.id}/revoke", data={"csrf_token": token}
    )
    assert revoked.status_code == 302
    assert db.session.get(Integration, integration.id).revoked_at is not None
