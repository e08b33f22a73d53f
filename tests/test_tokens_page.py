"""The API tokens page: list, create (secret shown once), revoke (own tokens only)."""

from __future__ import annotations

import re
import time

import pytest

from config import TestingConfig
from tests.conftest import IsolatedClient
from tests.factories import make_user as create_user
from tracker import create_app
from tracker.extensions import db
from tracker.models import ApiToken, AuditEvent, Role
from tracker.operations.tokens import digest, issue_token

SECRET = re.compile(r"trk_[A-Za-z0-9_\-]{43}")


def test_the_page_needs_a_login(client):
    response = client.get("/account/tokens")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("roles", [[], [Role.ENGINEER], [Role.MANAGER], [Role.LD], [Role.ADMIN]])
def test_anyone_logged_in_sees_their_own_tokens_only(client, make_user, login_as, roles):
    user = make_user(roles=roles)
    issue_token(user, "my laptop")
    issue_token(make_user(), "someone else's")
    db.session.commit()
    page = login_as(user).get("/account/tokens").get_data(as_text=True)
    assert "my laptop" in page
    assert "someone else" not in page


def test_creating_a_token_shows_the_secret_once_after_a_redirect(client, make_user, login_as):
    user = make_user()
    login_as(user)
    response = client.post("/account/tokens", data={"label": " CI pipeline "})
    assert response.status_code == 303
    assert response.headers["Location"] == "/account/tokens/created"
    assert not SECRET.search(response.get_data(as_text=True))
    shown = client.get("/account/tokens/created")
    assert shown.status_code == 200
    assert shown.headers["Cache-Control"] == "no-store"
    page = shown.get_data(as_text=True)
    secrets = SECRET.findall(page)
    assert len(secrets) == 1
    assert "will not be shown again" in page
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == user.id))
    assert token.label == "CI pipeline"
    assert token.token_hash == digest(secrets[0])
    assert token.prefix in page  # the list below shows the new token too
    again = client.get("/account/tokens").get_data(as_text=True)
    assert secrets[0] not in again and token.prefix in again
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secrets[0]}"})
    assert me.status_code == 200 and me.get_json()["email"] == user.email


def test_reloading_the_new_token_page_shows_it_no_more_and_makes_nothing(
    client, make_user, login_as
):
    login_as(make_user())
    created = client.post("/account/tokens", data={"label": "ci"})
    first = client.get(created.headers["Location"]).get_data(as_text=True)
    secret = SECRET.search(first).group()
    reload = client.get(created.headers["Location"])
    assert reload.status_code == 200 and reload.headers["Cache-Control"] == "no-store"
    page = reload.get_data(as_text=True)
    assert not SECRET.search(page)
    assert "This token was shown once and is no longer available" in page
    assert client.get(created.headers["Location"]).status_code == 200
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 1
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200  # the one token still works


def test_logging_out_drops_a_secret_not_yet_shown(client, make_user, login_as):
    login_as(make_user()).post("/account/tokens", data={"label": "ci"})
    with client.session_transaction() as sess:
        assert SECRET.search(repr(dict(sess)))  # waiting for the page after the redirect
    client.post("/auth/logout")
    with client.session_transaction() as sess:
        assert not SECRET.search(repr(dict(sess)))


def test_creating_a_token_is_audited_without_the_secret(client, make_user, login_as):
    user = make_user()
    created = login_as(user).post("/account/tokens", data={"label": "ci"})
    secret = SECRET.search(client.get(created.headers["Location"]).get_data(as_text=True)).group()
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "token.created"))
    assert event.actor_id == user.id
    assert secret not in f"{event.target} {event.detail}"


@pytest.mark.parametrize("label", ["", "   ", "x" * 81])
def test_a_bad_label_is_refused_and_creates_nothing(client, make_user, login_as, label):
    login_as(make_user())
    response = client.post("/account/tokens", data={"label": label})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in page and 'id="label-error"' in page
    assert not SECRET.search(page)
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 0


def test_revoking_a_token_stops_it_working(client, make_user, login_as):
    user = make_user()
    token, secret = issue_token(user, "old script")
    db.session.commit()
    response = login_as(user).post(f"/account/tokens/{token.id}/revoke")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/tokens")
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    api = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 401
    assert "revoked" in client.get("/account/tokens").get_data(as_text=True)
    actions = db.session.scalars(db.select(AuditEvent.action)).all()
    assert actions.count("token.revoked") == 1
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    assert db.session.scalars(db.select(AuditEvent.action)).all().count("token.revoked") == 1


def test_revoking_someone_elses_token_is_not_found(client, make_user, login_as):
    """Except for admins, who manage everyone's tokens (tests/test_one_policy.py)."""
    owner = make_user()
    token, secret = issue_token(owner, "theirs")
    db.session.commit()
    login_as(make_user(roles=[Role.MANAGER, Role.LD, Role.ENGINEER]))
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert client.post("/account/tokens/999999/revoke").status_code == 404
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_revoking_by_get_is_not_allowed(client, make_user, login_as):
    user = make_user()
    token, _ = issue_token(user, "x")
    db.session.commit()
    assert login_as(user).get(f"/account/tokens/{token.id}/revoke").status_code == 405
    assert db.session.get(ApiToken, token.id).revoked_at is None


@pytest.fixture
def csrf_client(database_url):
    """A client of an app with CSRF on, logged in as a fresh engineer; yields (client, user)."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, WTF_CSRF_ENABLED=True)
    app.test_client_class = IsolatedClient
    with app.app_context():
        user = create_user(email="csrf@corp.test")
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
            sess["login_at"] = sess["seen_at"] = int(time.time())
        yield client, user


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_the_token_forms_need_a_csrf_token(app, csrf_client):
    client, user = csrf_client
    assert client.post("/account/tokens", data={"label": "forged"}).status_code == 400
    token, _ = issue_token(user, "keep")
    db.session.commit()
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 400
    assert db.session.get(ApiToken, token.id).revoked_at is None
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 1
    page = client.get("/account/tokens").get_data(as_text=True)
    response = client.post(
        "/account/tokens", data={"label": "real", "csrf_token": csrf_token(page)}
    )
    assert response.status_code == 303
    assert SECRET.search(client.get(response.headers["Location"]).get_data(as_text=True))
