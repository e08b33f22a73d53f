"""Logging in and out: generic failures, lock-out, rate limit, sessions that really end."""

from datetime import timedelta

import pytest
import time_machine

from config import TestingConfig
from tests.factories import PASSWORD
from tracker import create_app
from tracker.extensions import db
from tracker.models import AuditEvent, Role, User, utcnow


def login(client, email, password=PASSWORD, **extra):
    return client.post("/auth/login", data={"email": email, "password": password, **extra})


def actions():
    return db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)).all()


def test_login_with_the_right_password_opens_the_home_page(client, make_user):
    make_user(email="ada@corp.test", name="Ada")
    response = login(client, "ADA@corp.test")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Ada" in client.get("/").get_data(as_text=True)
    assert "login.success" in actions()


@pytest.mark.parametrize(
    "email,password", [("ada@corp.test", "wrong password"), ("nobody@corp.test", PASSWORD)]
)
def test_login_failure_gives_one_generic_message(client, make_user, email, password):
    make_user(email="ada@corp.test")
    page = login(client, email, password).get_data(as_text=True)
    assert "do not match an active account" in page
    assert client.get("/").status_code == 302
    assert "login.failure" in actions()


def test_deactivated_people_cannot_log_in(client, make_user):
    make_user(email="gone@corp.test", active=False)
    assert "do not match" in login(client, "gone@corp.test").get_data(as_text=True)


def test_after_five_failures_even_the_right_password_is_refused_for_a_while(client, make_user):
    user = make_user(email="ada@corp.test")
    for _ in range(5):
        login(client, "ada@corp.test", "wrong password")
    page = login(client, "ada@corp.test").get_data(as_text=True)
    assert "Too many failed attempts" in page
    assert client.get("/").status_code == 302
    assert "login.locked" in actions()
    db.session.refresh(user)
    with time_machine.travel(user.locked_until + timedelta(seconds=1)):
        assert login(client, "ada@corp.test").status_code == 302
    db.session.refresh(user)
    assert user.failed_logins == 0 and user.locked_until is None


def test_lock_out_backs_off_longer_after_more_failures(client, make_user):
    user = make_user(email="ada@corp.test")
    for _ in range(5):
        login(client, "ada@corp.test", "wrong password")
    db.session.refresh(user)
    first = user.locked_until - utcnow()
    with time_machine.travel(user.locked_until + timedelta(seconds=1)):
        login(client, "ada@corp.test", "wrong password")
    db.session.refresh(user)
    assert user.locked_until - utcnow() > first


def test_the_eleventh_login_post_in_a_minute_from_one_address_gets_429(database_url, make_user):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, RATELIMIT_ENABLED=True)
    client = app.test_client()
    codes = [login(client, "x@corp.test", "wrong password").status_code for _ in range(11)]
    assert codes[:10] == [200] * 10
    assert codes[10] == 429
    assert client.get("/auth/login").status_code == 200  # the form itself is not limited
    with app.app_context():
        db.engine.dispose()


def test_a_cookie_captured_before_logout_is_anonymous_after_it(app, make_user):
    make_user(email="ada@corp.test")
    client = app.test_client()
    login(client, "ada@corp.test")
    stolen = client.get_cookie("session").value
    assert client.post("/auth/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_logout_is_post_only(client):
    assert client.get("/auth/logout").status_code == 405


def test_login_starts_a_new_session(app, make_user):
    make_user(email="ada@corp.test")
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    login(client, "ada@corp.test")
    with client.session_transaction() as sess:
        assert "planted" not in sess


def test_deactivation_ends_every_session(client, make_user, login_as):
    user = make_user()
    login_as(user)
    assert client.get("/").status_code == 200
    user.active = False
    db.session.commit()
    assert client.get("/").status_code == 302


def test_idle_sessions_end(client, make_user):
    make_user(email="ada@corp.test")
    login(client, "ada@corp.test")
    with time_machine.travel(timedelta(minutes=31)):
        assert client.get("/").status_code == 302


def test_sessions_end_after_the_absolute_limit_even_when_active(client, make_user):
    make_user(email="ada@corp.test")
    with time_machine.travel(utcnow(), tick=False) as traveller:
        login(client, "ada@corp.test")
        for _ in range(12 * 3 + 1):  # a request every 20 minutes for over 12 hours
            traveller.shift(timedelta(minutes=20))
            client.get("/")
        assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "target",
    ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"],
)
def test_next_never_leaves_the_site(client, make_user, target):
    make_user(email="ada@corp.test")
    response = login(client, "ada@corp.test", next=target)
    assert response.headers["Location"] == "/"


def test_next_is_followed_to_a_local_page(client, make_user):
    make_user(email="ada@corp.test")
    response = login(client, "ada@corp.test", next="/auth/account")
    assert response.headers["Location"] == "/auth/account"


def test_rehashes_on_login_when_the_hash_parameters_change(database_url, make_user):
    user = make_user(email="ada@corp.test")
    old_hash = user.password_hash
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, ARGON2_TIME_COST=2)
    login(app.test_client(), "ada@corp.test")
    db.session.refresh(user)
    assert user.password_hash != old_hash and "t=2" in user.password_hash
    with app.app_context():
        db.engine.dispose()


def test_privileged_roles_exist_for_mfa(make_user):
    assert make_user(roles=[Role.LD]).is_privileged
    assert not make_user(roles=[Role.ENGINEER]).is_privileged
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 2


def _login_posts_from(app, addresses):
    """POST a failed login once per address given in X-Forwarded-For; return the statuses."""
    client = app.test_client()
    form = {"email": "x@corp.test", "password": "wrong password"}
    return [
        client.post("/auth/login", data=form, headers={"X-Forwarded-For": address})
        for address in addresses
    ]


def _app_with_proxies(database_url, proxies):
    return create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        RATELIMIT_ENABLED=True,
        PROXY_FIX_X_FOR=proxies,
    )


def test_x_forwarded_for_is_ignored_unless_a_proxy_is_configured(database_url):
    app = _app_with_proxies(database_url, 0)
    answers = _login_posts_from(app, [f"203.0.113.{n}" for n in range(11)])
    assert [r.status_code for r in answers] == [200] * 10 + [429]
    with app.app_context():
        ips = set(db.session.scalars(db.select(AuditEvent.ip)))
        assert ips == {"127.0.0.1"}  # the connecting address, never the header's
        db.session.execute(db.delete(AuditEvent))
        db.session.commit()
        db.engine.dispose()


def test_behind_a_configured_proxy_the_forwarded_address_is_the_client(database_url):
    app = _app_with_proxies(database_url, 1)
    spread = _login_posts_from(app, [f"203.0.113.{n}" for n in range(11)])
    assert [r.status_code for r in spread] == [200] * 11  # eleven clients, one request each
    one = _login_posts_from(app, ["198.51.100.7"] * 11)
    assert [r.status_code for r in one] == [200] * 10 + [429]
    with app.app_context():
        ips = set(db.session.scalars(db.select(AuditEvent.ip)))
        assert "198.51.100.7" in ips and "203.0.113.10" in ips and "127.0.0.1" not in ips
        db.session.execute(db.delete(AuditEvent))
        db.session.commit()
        db.engine.dispose()
