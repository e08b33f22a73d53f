"""Security basics: headers on every response, CSRF, safe production configuration."""

import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from config import ProductionConfig, TestingConfig
from tests.factories import PASSWORD
from tracker import create_app
from tracker.extensions import db
from tracker.headers import SECURITY_HEADERS
from tracker.links import issue_link
from tracker.models import AuditEvent, LinkPurpose, Role
from tracker.operations.tokens import issue_token


@pytest.mark.parametrize(
    "path", ["/auth/login", "/no-such-page", "/healthz", "/api/v1/me", "/auth/logout", "/api/v1/no"]
)
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


def test_production_session_cookie_is_sent_secure_httponly_lax_and_host_only(
    database_url, make_user
):
    make_user(email="ada@corp.test", roles=[Role.ENGINEER])
    app = create_app(ProductionConfig, SECRET_KEY="k" * 40, SQLALCHEMY_DATABASE_URI=database_url)
    client = app.test_client()
    https = {"base_url": "https://tracker.example"}
    page = client.get("/auth/login", **https).get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    form = {"email": "ada@corp.test", "password": PASSWORD, "csrf_token": token}
    referer = {"Referer": "https://tracker.example/auth/login"}  # checked over HTTPS
    response = client.post("/auth/login", data=form, headers=referer, **https)
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert cookie.startswith("__Host-session=")
    assert {"secure", "httponly", "samesite", "path"} <= attributes
    assert "SameSite=Lax" in cookie and "Path=/" in cookie and "domain" not in attributes
    assert client.get("/", **https).status_code == 200
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
        if "POST" not in rule.methods or rule.rule.startswith(("/api/", "/xapi/", "/scim/")):
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


def test_a_server_error_reveals_no_detail_on_pages_or_the_api(database_url, make_user):
    app = create_app(
        TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, PROPAGATE_EXCEPTIONS=False
    )

    def boom():
        raise RuntimeError("secret detail: /etc/passwd SELECT * FROM users")

    def broken_query():
        db.session.execute(text("SELECT name AS secret_column FROM users WHERE id = :missing"))

    app.add_url_rule("/boom", "boom", boom)
    app.add_url_rule("/api/v1/boom", "api_boom", boom)
    app.add_url_rule("/api/v1/broken-query", "api_broken_query", broken_query)
    with app.app_context():
        _, secret = issue_token(make_user(), "errors")
        db.session.commit()
    client = app.test_client()
    page = client.get("/boom")
    assert page.status_code == 500 and b"secret detail" not in page.data
    assert b"Something went wrong" in page.data and b"Traceback" not in page.data
    bearer = {"Authorization": f"Bearer {secret}"}
    for path in ("/api/v1/boom", "/api/v1/broken-query"):
        api = client.get(path, headers=bearer)
        assert api.status_code == 500 and api.is_json, path
        for response in (page, api):
            for name, value in SECURITY_HEADERS.items():
                assert response.headers[name] == value, f"{name} missing on a 500"
            assert response.headers["Cache-Control"] == "no-store"
        assert api.get_json()["error"]["code"] == "server_error"
        body = api.get_data(as_text=True)
        for leak in ("secret", "SELECT", "missing", "Traceback", ".py", "/etc/"):
            assert leak not in body, f"{path} reveals {leak!r}: {body}"
    with app.app_context():
        db.engine.dispose()


def test_production_refuses_to_start_in_debug_mode(database_url):
    with pytest.raises(RuntimeError, match="debug"):
        create_app(ProductionConfig, SECRET_KEY="k" * 40, DEBUG=True)
    app = create_app(ProductionConfig, SECRET_KEY="k" * 40, SQLALCHEMY_DATABASE_URI=database_url)
    assert app.debug is False and app.testing is False
    with app.app_context():
        db.engine.dispose()


def test_production_reads_its_secrets_from_the_environment():
    environment = {**os.environ, "SECRET_KEY": "from-the-environment", "MAIL_PASSWORD": "mail-pw"}
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "from config import ProductionConfig as c; print(c.SECRET_KEY, c.MAIL_PASSWORD)",
        ],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert shown.stdout.split() == ["from-the-environment", "mail-pw"]


def test_refused_pages_and_downloads_are_in_the_audit_trail_in_utc(client, make_user, login_as):
    engineer = make_user(email="eve@corp.test", roles=[Role.ENGINEER])
    login_as(engineer)
    assert client.get("/admin/people").status_code == 403
    denial = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "access.denied")
    ).one()
    assert (denial.actor_email, denial.target) == ("eve@corp.test", "GET /admin/people")
    assert denial.at.utcoffset() == timedelta(0)
    assert abs(denial.at - datetime.now(UTC)) < timedelta(minutes=1)
    login_as(make_user(roles=[Role.LD]))
    assert client.get("/catalogue/export").status_code == 200
    actions = db.session.scalars(db.select(AuditEvent.action)).all()
    assert "catalog.exported" in actions


def test_a_data_export_is_in_the_audit_trail(runner, tmp_path):
    assert runner.invoke(args=["data", "export", str(tmp_path / "all.json")]).exit_code == 0
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "data.exported")
    ).one()
    assert event.target == "all.json"


def test_passwords_never_reach_the_audit_trail_or_the_log(app, make_user, caplog):
    secrets = ["a mistyped passphrase", PASSWORD, "my new passphrase 1", "an invited passphrase"]
    make_user(email="ada@corp.test")
    invited = make_user(email="new@corp.test", password=None)
    link = issue_link(invited, LinkPurpose.INVITATION)
    db.session.commit()
    client = app.test_client()
    with caplog.at_level("DEBUG"):
        login = {"email": "ada@corp.test"}
        client.post("/auth/login", data={**login, "password": secrets[0]})
        client.post("/auth/login", data={**login, "password": PASSWORD})
        change = {"current": PASSWORD, "password": secrets[2], "confirm": secrets[2]}
        assert client.post("/auth/account/password", data=change).status_code == 302
        client.post("/auth/logout")
        chosen = {"password": secrets[3], "confirm": secrets[3]}
        assert client.post(f"/auth/set-password/{link}", data=chosen).status_code == 302
    events = db.session.scalars(db.select(AuditEvent)).all()
    assert {"login.failure", "login.success", "password.changed", "password.set"} <= {
        e.action for e in events
    }
    stored = " ".join(f"{e.target} {e.detail} {e.actor_email}" for e in events)
    logged = " ".join(record.getMessage() for record in caplog.records)
    for secret in secrets + [link]:
        assert secret not in stored and secret not in logged, secret
