"""Security basics: headers on every response, CSRF, safe production configuration."""

import re
import time

import pytest

from config import ProductionConfig, TestingConfig
from tests.factories import PASSWORD
from tracker import create_app
from tracker.extensions import db
from tracker.models import Role


@pytest.mark.parametrize("path", ["/auth/login", "/no-such-page", "/healthz", "/api/v1/me"])
def test_security_headers_are_on_every_response(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_private_pages_are_not_cached(client, make_user, login_as):
    login_as(make_user())
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_production_sends_hsts_and_secure_host_cookies(database_url):
    app = create_app(ProductionConfig, SECRET_KEY="k" * 40, SQLALCHEMY_DATABASE_URI=database_url)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert app.config["REQUIRE_MFA"] is True
    response = app.test_client().get("/auth/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    with app.app_context():
        db.engine.dispose()


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


class TestWithCsrfOn:
    """The same app with CSRF protection switched on, as it is outside the tests."""

    @pytest.fixture
    def csrf_client(self, database_url):
        app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, WTF_CSRF_ENABLED=True)
        yield app.test_client()
        with app.app_context():
            db.engine.dispose()

    def test_a_post_without_the_token_is_refused(self, csrf_client, make_user):
        make_user(email="ada@corp.test")
        response = csrf_client.post(
            "/auth/login", data={"email": "ada@corp.test", "password": PASSWORD}
        )
        assert response.status_code == 400
        assert csrf_client.get("/").status_code == 302

    def test_a_post_with_the_token_is_accepted(self, csrf_client, make_user):
        make_user(email="ada@corp.test")
        page = csrf_client.get("/auth/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        response = csrf_client.post(
            "/auth/login",
            data={"email": "ada@corp.test", "password": PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 302
        assert csrf_client.get("/").status_code == 200

    def test_logout_needs_the_token_too(self, csrf_client, make_user, app):
        make_user(email="ada@corp.test")
        page = csrf_client.get("/auth/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        csrf_client.post(
            "/auth/login",
            data={"email": "ada@corp.test", "password": PASSWORD, "csrf_token": token},
        )
        assert csrf_client.post("/auth/logout").status_code == 400
        assert csrf_client.get("/").status_code == 200


def test_every_site_form_post_is_refused_without_a_csrf_token(database_url, make_user):
    """Sweeps the URL map, so a POST route added later inherits the check."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, WTF_CSRF_ENABLED=True)
    admin = make_user(roles=[Role.ADMIN, Role.MANAGER, Role.LD, Role.ENGINEER])
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = admin.get_id()
        sess["login_at"] = sess["seen_at"] = int(time.time())
    checked = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith(("/api/", "/xapi/")):
            continue
        url = rule.rule
        for argument in rule.arguments:
            url = re.sub(rf"<(?:\w+:)?{argument}>", "1", url)
        response = client.post(url, data={})
        assert response.status_code == 400, f"{url} accepted a POST without a CSRF token"
        checked.append(url)
    assert "/auth/logout" in checked and "/admin/roster" in checked
    with app.app_context():
        db.engine.dispose()


def test_audit_lines_cannot_be_forged_with_newlines(app, caplog):
    from tracker import audit

    with caplog.at_level("INFO", logger="tracker.audit"):
        event = audit.record("login.failure", "eve@corp.test\nINFO audit action=login.success")
    db.session.commit()
    assert "\n" not in event.target
    assert all("\n" not in record.getMessage() for record in caplog.records)
    assert "\\n" in event.target


def test_a_server_error_reveals_no_detail_on_pages_or_the_api(database_url):
    app = create_app(
        TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, PROPAGATE_EXCEPTIONS=False
    )

    def boom():
        raise RuntimeError("secret detail: /etc/passwd SELECT * FROM users")

    app.add_url_rule("/boom", "boom", boom)
    app.add_url_rule("/api/v1/boom", "api_boom", boom)
    client = app.test_client()
    page = client.get("/boom")
    assert page.status_code == 500 and b"secret detail" not in page.data
    assert b"Something went wrong" in page.data
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    api = client.get("/api/v1/boom")
    assert api.status_code in (401, 500)  # the token check runs first
    assert b"secret detail" not in api.data
    with app.app_context():
        db.engine.dispose()
