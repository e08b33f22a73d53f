"""Sign-in settings: refused at start-up when they cannot work; PASSWORD_LOGIN=admins.

With PASSWORD_LOGIN=admins the password form is a break-glass door for admins: everyone else
signs in with the company account, and cannot get a password through a reset or invitation link.
No provider is needed here: nothing below reaches it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from config import TestingConfig
from tests.conftest import IsolatedClient
from tests.factories import PASSWORD
from tracker import create_app
from tracker.extensions import db
from tracker.links import issue_link
from tracker.models import AuditEvent, LinkPurpose, OneTimeLink, Role, User

ISSUER = "https://id.corp.test"
SSO = {"OIDC_ISSUER": ISSUER, "OIDC_CLIENT_ID": "tracker", "OIDC_CLIENT_SECRET": "secret"}


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"PASSWORD_LOGIN": "off"}, "PASSWORD_LOGIN='off' is not allowed: use 'on' or 'admins'"),
        ({"PASSWORD_LOGIN": "yes"}, "PASSWORD_LOGIN='yes' is not allowed: use 'on' or 'admins'"),
        ({"PASSWORD_LOGIN": "admins"}, "PASSWORD_LOGIN=admins needs OIDC_ISSUER"),
        ({"OIDC_ISSUER": ISSUER}, "OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are needed"),
        ({**SSO, "OIDC_CLIENT_SECRET": ""}, "OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are needed"),
        ({**SSO, "OIDC_ISSUER": "http://id.corp.test"}, "must be an https:// URL"),
        ({**SSO, "OIDC_ISSUER": "id.corp.test"}, "must be an https:// URL"),
    ],
    ids=["off", "yes", "admins-alone", "no-client", "no-secret", "plain-http", "no-scheme"],
)
def test_settings_that_cannot_work_stop_the_start(settings, message):
    with pytest.raises(RuntimeError) as refused:
        create_app(TestingConfig, **settings)

    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"PASSWORD_LOGIN": "admins", **SSO},
        {**SSO, "OIDC_ISSUER": "http://127.0.0.1:9400"},
        {**SSO, "OIDC_ISSUER": "http://localhost:9400/"},
    ],
    ids=["defaults", "admins-with-sso", "loopback-http", "localhost-http"],
)
def test_settings_that_can_work_start(settings):
    assert create_app(TestingConfig, **settings).config["PASSWORD_LOGIN"] in {"on", "admins"}


def test_password_login_is_on_and_creation_off_by_default():
    config = create_app(TestingConfig).config

    assert config["PASSWORD_LOGIN"] == "on" and config["OIDC_CREATE_USERS"] is False
    assert config["OIDC_ISSUER"] == ""


@pytest.fixture
def admins_only(app: Flask, database_url: str) -> Iterator[Flask]:
    """An app whose password sign-in is kept for admins (`app` empties the tables after)."""
    made = create_app(
        TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, PASSWORD_LOGIN="admins", **SSO
    )
    made.test_client_class = IsolatedClient
    yield made
    with made.app_context():
        db.engine.dispose()


def log_in(client, email: str, password: str = PASSWORD):
    return client.post("/auth/login", data={"email": email, "password": password})


def failures() -> list[tuple[str, str]]:
    db.session.expire_all()
    rows = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "login.failure"))
    return [(row.target, row.detail) for row in rows]


def test_an_admin_still_logs_in_with_a_password(admins_only, make_user):
    make_user(email="root@corp.test", roles=[Role.ADMIN])
    client = admins_only.test_client()

    answer = log_in(client, "root@corp.test")

    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("roles", [[Role.ENGINEER], [Role.MANAGER], [Role.LD]])
def test_anyone_else_with_the_right_password_is_sent_to_the_company_sign_in(
    admins_only, make_user, roles
):
    make_user(email="eng@corp.test", roles=roles)
    client = admins_only.test_client()

    answer = log_in(client, "eng@corp.test")

    assert answer.status_code == 200
    assert "Use “Sign in with your company account” instead" in answer.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert failures() == [("eng@corp.test", "password sign-in is for admins only")]


def test_a_wrong_password_still_counts_toward_the_lock_out(admins_only, make_user):
    make_user(email="eng2@corp.test")
    client = admins_only.test_client()

    answer = log_in(client, "eng2@corp.test", "wrong password")

    assert "do not match an active account" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert (
        db.session.scalar(db.select(User.failed_logins).where(User.email == "eng2@corp.test")) == 1
    )
    assert failures() == [("eng2@corp.test", "")]


def test_the_login_page_puts_the_company_sign_in_first(admins_only):
    page = admins_only.test_client().get("/auth/login").get_data(as_text=True)

    company = page.index("Sign in with your company account")
    assert company < page.index("<details") < page.index('name="password"')
    assert "Administrators: log in with a password" in page


def test_everyone_may_use_a_password_beside_the_company_sign_in_by_default(database_url, app):
    both = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, **SSO)
    page = both.test_client().get("/auth/login").get_data(as_text=True)

    assert "Sign in with your company account" in page and "<details" not in page
    assert page.index("Sign in with your company account") < page.index('name="password"')


def test_a_reset_request_sends_no_link_to_someone_who_may_not_use_a_password(
    admins_only, make_user
):
    make_user(email="eng3@corp.test")
    make_user(email="root3@corp.test", roles=[Role.ADMIN])
    client = admins_only.test_client()

    for email in ("eng3@corp.test", "root3@corp.test", "nobody@corp.test"):
        answer = client.post("/auth/reset", data={"email": email}, follow_redirects=True)
        assert "a link to set a new password is on its way" in answer.get_data(as_text=True)

    db.session.expire_all()
    sent_to = db.session.scalars(
        db.select(User.email).join(OneTimeLink, OneTimeLink.user_id == User.id)
    ).all()
    assert sent_to == ["root3@corp.test"]


def test_the_reset_page_says_passwords_are_for_admins(admins_only):
    page = admins_only.test_client().get("/auth/reset").get_data(as_text=True)

    assert "Passwords are kept for administrators" in page
    assert 'href="/auth/oidc/login"' in page


def test_a_link_does_not_let_someone_else_set_a_password(admins_only, make_user):
    engineer = make_user(email="eng4@corp.test", password=None)
    token = issue_link(engineer, LinkPurpose.INVITATION)
    db.session.commit()
    client = admins_only.test_client()
    form = {"password": "a long new passphrase", "confirm": "a long new passphrase"}

    answer = client.post(f"/auth/set-password/{token}", data=form)

    assert answer.status_code == 302 and answer.headers["Location"] == "/auth/login"
    db.session.expire_all()
    assert db.session.get(User, engineer.id).password_hash is None
    assert db.session.scalar(db.select(OneTimeLink.used_at)) is None
    assert client.get("/").status_code == 302
