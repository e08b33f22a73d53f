"""TOTP for admin, L&D and manager accounts when REQUIRE_MFA is on; codes cannot be replayed."""

import re

import pyotp
import pytest

from config import TestingConfig
from tests.factories import PASSWORD
from tracker import create_app
from tracker.extensions import db
from tracker.models import Role


@pytest.fixture
def mfa_app(database_url):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, REQUIRE_MFA=True)
    yield app
    with app.app_context():
        db.engine.dispose()


def password_step(client, email):
    return client.post("/auth/login", data={"email": email, "password": PASSWORD})


def test_a_privileged_person_must_enrol_before_getting_in(mfa_app, make_user):
    user = make_user(email="boss@corp.test", roles=[Role.MANAGER])
    client = mfa_app.test_client()
    response = password_step(client, "boss@corp.test")
    assert response.headers["Location"] == "/auth/mfa/setup"
    assert client.get("/").status_code == 302  # not logged in yet
    page = client.get("/auth/mfa/setup").get_data(as_text=True)
    assert "data:image/svg+xml;base64," in page
    secret = re.search(r"<code>([A-Z2-7]+)</code>", page).group(1)
    code = pyotp.TOTP(secret).now()
    assert client.post("/auth/mfa/setup", data={"code": code}).status_code == 302
    assert client.get("/").status_code == 200
    db.session.refresh(user)
    assert user.totp_secret == secret


def test_an_enrolled_person_logs_in_with_a_code_that_cannot_be_replayed(mfa_app, make_user):
    secret = pyotp.random_base32()
    user = make_user(email="ld@corp.test", roles=[Role.LD])
    user.totp_secret = secret
    db.session.commit()
    code = pyotp.TOTP(secret).now()

    first = mfa_app.test_client()
    assert password_step(first, "ld@corp.test").headers["Location"] == "/auth/mfa"
    assert first.post("/auth/mfa", data={"code": code}).status_code == 302
    assert first.get("/").status_code == 200

    second = mfa_app.test_client()
    password_step(second, "ld@corp.test")
    page = second.post("/auth/mfa", data={"code": code}).get_data(as_text=True)
    assert "not valid" in page
    assert second.get("/").status_code == 302


def test_a_wrong_code_does_not_log_in(mfa_app, make_user):
    user = make_user(email="admin@corp.test", roles=[Role.ADMIN])
    user.totp_secret = pyotp.random_base32()
    db.session.commit()
    client = mfa_app.test_client()
    password_step(client, "admin@corp.test")
    client.post("/auth/mfa", data={"code": "000000"})
    assert client.get("/").status_code == 302


def test_an_engineer_is_not_asked_for_a_second_factor(mfa_app, make_user):
    make_user(email="eng@corp.test", roles=[Role.ENGINEER])
    client = mfa_app.test_client()
    assert password_step(client, "eng@corp.test").headers["Location"] == "/"


def test_without_require_mfa_privileged_people_log_in_with_a_password(client, make_user):
    make_user(email="boss@corp.test", roles=[Role.MANAGER])
    assert password_step(client, "boss@corp.test").headers["Location"] == "/"


def test_the_code_page_needs_the_password_step_first(mfa_app):
    response = mfa_app.test_client().post("/auth/mfa", data={"code": "123456"})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_after_five_wrong_codes_even_the_right_code_is_refused_for_a_while(mfa_app, make_user):
    secret = pyotp.random_base32()
    user = make_user(email="ld@corp.test", roles=[Role.LD])
    user.totp_secret = secret
    db.session.commit()
    client = mfa_app.test_client()
    password_step(client, "ld@corp.test")
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    for _ in range(5):
        client.post("/auth/mfa", data={"code": wrong})
    page = client.post("/auth/mfa", data={"code": pyotp.TOTP(secret).now()})
    assert "Too many failed attempts" in page.get_data(as_text=True)
    assert client.get("/").status_code == 302
    db.session.refresh(user)
    assert user.locked_until is not None


def test_the_eleventh_code_in_a_minute_from_one_address_gets_429(database_url, make_user):
    user = make_user(email="ld@corp.test", roles=[Role.LD])
    user.totp_secret = pyotp.random_base32()
    db.session.commit()
    limited = {"REQUIRE_MFA": True, "RATELIMIT_ENABLED": True}
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, **limited)
    client = app.test_client()
    password_step(client, "ld@corp.test")
    codes = [client.post("/auth/mfa", data={"code": "000000"}).status_code for _ in range(11)]
    assert codes == [200] * 10 + [429]
    with app.app_context():
        db.engine.dispose()
