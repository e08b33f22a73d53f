"""Bearer tokens: who the API lets in, and what it keeps of a token."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
import time_machine
from flask_login import current_user
from flask_smorest import Blueprint

from config import TestingConfig
from tests.conftest import IsolatedClient
from tracker import create_app
from tracker.api import register_blueprint
from tracker.api.auth import api_role_required, api_user
from tracker.extensions import db
from tracker.models import ApiToken, AuditEvent, Role, utcnow
from tracker.operations.tokens import issue_token, revoke_token


@pytest.fixture
def token_for(app):
    """Issue and commit a token for a person; return its secret."""

    def issue(user, label="script"):
        _, secret = issue_token(user, label)
        db.session.commit()
        return secret

    return issue


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def assert_refused(response):
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    error = response.get_json()["error"]
    assert error["code"] == "unauthorized"
    assert error["message"]


def test_a_good_token_acts_as_its_owner(client, make_user, token_for):
    user = make_user(email="ada@corp.test", roles=[Role.ENGINEER])
    response = client.get("/api/v1/me", headers=bearer(token_for(user)))
    assert response.status_code == 200
    assert response.get_json()["email"] == "ada@corp.test"


def test_the_bearer_scheme_is_case_insensitive(client, make_user, token_for):
    secret = token_for(make_user())
    response = client.get("/api/v1/me", headers={"Authorization": f"bearer {secret}"})
    assert response.status_code == 200


def test_a_revoked_token_is_refused(client, make_user, token_for):
    user = make_user()
    secret = token_for(user)
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == user.id))
    revoke_token(token, user)
    db.session.commit()
    assert_refused(client.get("/api/v1/me", headers=bearer(secret)))


def test_a_token_of_a_deactivated_person_is_refused(client, make_user, token_for):
    user = make_user()
    secret = token_for(user)
    user.active = False
    db.session.commit()
    assert_refused(client.get("/api/v1/me", headers=bearer(secret)))


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Basic x",
        "garbage",
        "Bearer two words",
        "Bearer trk_wrongtokenwrongtokenwrongtokenwrongtoken",
        "Token trk_abc",
    ],
)
def test_a_missing_or_malformed_or_unknown_token_is_refused(client, make_user, token_for, header):
    token_for(make_user())
    headers = {} if header is None else {"Authorization": header}
    assert_refused(client.get("/api/v1/me", headers=headers))


def test_a_session_cookie_alone_does_not_authenticate_the_api(client, make_user, login_as):
    login_as(make_user())
    assert client.get("/").status_code == 200  # the cookie works on the site
    assert_refused(client.get("/api/v1/me"))


def test_with_a_token_and_a_cookie_the_api_acts_as_the_token_owner(
    client, make_user, login_as, token_for
):
    owner = make_user(email="owner@corp.test")
    login_as(make_user(email="admin@corp.test", roles=[Role.ADMIN]))
    response = client.get("/api/v1/me", headers=bearer(token_for(owner)))
    assert response.get_json()["email"] == "owner@corp.test"


def test_the_token_is_stored_only_as_a_hash(client, make_user):
    user = make_user()
    token, secret = issue_token(user, "ci")
    db.session.commit()
    assert secret.startswith("trk_") and len(secret) > 40
    assert token.token_hash != secret and len(token.token_hash) == 64
    assert secret.startswith(token.prefix) and len(token.prefix) < len(secret) // 3
    row = db.session.execute(db.select(ApiToken.__table__)).one()
    assert all(secret not in str(value) for value in row)
    events = db.session.execute(db.select(AuditEvent.__table__)).all()
    assert any(event.action == "token.created" for event in events)
    assert all(secret not in str(value) for event in events for value in event)


def test_last_use_is_recorded_at_most_once_a_minute(client, make_user, token_for):
    user = make_user()
    secret = token_for(user)
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == user.id))
    assert token.last_used_at is None
    with time_machine.travel(utcnow(), tick=False) as clock:
        client.get("/api/v1/me", headers=bearer(secret))
        first = db.session.get(ApiToken, token.id).last_used_at
        assert first is not None and abs(first - utcnow()) < timedelta(seconds=1)
        clock.shift(timedelta(seconds=30))
        client.get("/api/v1/me", headers=bearer(secret))
        assert db.session.get(ApiToken, token.id).last_used_at == first
        clock.shift(timedelta(seconds=60))
        client.get("/api/v1/me", headers=bearer(secret))
        assert db.session.get(ApiToken, token.id).last_used_at > first


def api_requests(app):
    """Yield (method, path, rule) for every API route, placeholders filled with dummy values."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<int(?:\([^)]*\))?:\w+>", "1", rule.rule)  # <int:id>, <int(max=N):id>
        path = re.sub(r"<(?:\w+:)?\w+>", "x", path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, path, rule


def test_every_api_route_but_the_document_refuses_a_caller_without_a_token(app, client):
    """Sweeps the URL map: a route added later is closed by default."""
    for method, path, rule in api_requests(app):
        response = client.open(path, method=method, json={})
        if getattr(app.view_functions[rule.endpoint], "api_public", False):
            assert response.status_code == 200, rule.rule
        else:
            assert response.status_code == 401, f"{method} {rule.rule}"
            assert response.get_json()["error"]["code"] == "unauthorized"


def test_the_api_skips_csrf_and_ignores_cookies_while_the_site_does_not(database_url, make_user):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, WTF_CSRF_ENABLED=True)
    app.test_client_class = IsolatedClient
    probe = Blueprint("api_probe", __name__, url_prefix="/api/v1")

    @probe.route("/probe", methods=["POST"])
    @probe.response(200)
    def poke():
        """A state-changing probe."""
        return {"by": api_user().email, "current_user": current_user.email}

    register_blueprint(app, probe)
    with app.app_context():
        _, secret = issue_token(make_user(email="bot@corp.test"), "bot")
        admin_id = make_user(email="admin@corp.test", roles=[Role.ADMIN]).get_id()
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as sess:  # an admin's cookie rides along
        sess["_user_id"] = admin_id
        sess["login_at"] = sess["seen_at"] = int(time.time())
    response = client.post("/api/v1/probe", headers=bearer(secret))
    assert response.status_code == 200
    assert response.get_json() == {"by": "bot@corp.test", "current_user": "bot@corp.test"}
    assert_refused(client.post("/api/v1/probe"))
    assert client.post("/account/tokens", data={"label": "x"}).status_code == 400


def test_every_state_changing_api_route_skips_csrf(database_url, make_user):
    """Sweeps the URL map: a later POST/PUT/DELETE API route must not demand a CSRF token."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, WTF_CSRF_ENABLED=True)
    app.test_client_class = IsolatedClient
    with app.app_context():
        _, secret = issue_token(make_user(), "bot")
        db.session.commit()
    client = app.test_client()
    for method, path, rule in api_requests(app):
        if method != "GET":
            response = client.open(path, method=method, headers=bearer(secret), json={})
            body = response.get_data(as_text=True)
            assert "CSRF" not in body, f"{method} {rule.rule} asks for a CSRF token"


def test_api_role_required_refuses_other_roles_with_403(database_url, make_user):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url)
    app.test_client_class = IsolatedClient
    probe = Blueprint("api_ld_probe", __name__, url_prefix="/api/v1")

    @probe.route("/ld-only")
    @probe.response(200)
    @api_role_required(Role.LD)
    def ld_only():
        """Only L&D (and admins)."""
        return {"ok": True}

    register_blueprint(app, probe)
    secrets = {}
    with app.app_context():
        for role in (Role.ENGINEER, Role.LD, Role.ADMIN):
            _, secrets[role] = issue_token(make_user(roles=[role]), "probe")
        db.session.commit()
    client = app.test_client()
    answers = {
        role: client.get("/api/v1/ld-only", headers=bearer(secret)).status_code
        for role, secret in secrets.items()
    }
    assert answers == {Role.ENGINEER: 403, Role.LD: 200, Role.ADMIN: 200}
    refused = client.get("/api/v1/ld-only", headers=bearer(secrets[Role.ENGINEER]))
    assert refused.get_json()["error"]["code"] == "forbidden"
    with app.app_context():
        denial = db.session.scalar(
            db.select(AuditEvent).where(AuditEvent.action == "access.denied")
        )
        assert denial is not None and denial.actor_id is not None


def test_tokens_are_random_and_long_enough_not_to_be_guessed(make_user, token_for):
    user = make_user()
    secrets = {token_for(user, f"t{n}") for n in range(20)}
    assert len(secrets) == 20
    for secret in secrets:
        assert re.fullmatch(r"trk_[A-Za-z0-9_-]{43}", secret)  # 32 random bytes
    assert len({secret[4:12] for secret in secrets}) == 20  # no shared stem after the marker
