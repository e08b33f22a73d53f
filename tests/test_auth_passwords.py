"""Passwords: policy, argon2id, changing, and one-time invitation and reset links."""

from datetime import timedelta

import pytest
import time_machine

from tests.factories import PASSWORD
from tracker.extensions import db
from tracker.links import issue_link
from tracker.models import LinkPurpose, OneTimeLink
from tracker.passwords import common_passwords, policy_error, verify_password


def change(client, current, new, confirm=None):
    return client.post(
        "/auth/account/password",
        data={"current": current, "password": new, "confirm": confirm or new},
    )


@pytest.mark.parametrize(
    "password,reason",
    [
        ("seven77", "at least 8"),
        ("x" * 129, "at most 128"),
        ("password123", "too common"),
        ("Password123", "too common"),
    ],
)
def test_policy_refuses_short_long_and_common_passwords(password, reason):
    assert reason in policy_error(password)


@pytest.mark.parametrize("password", ["x" * 128, "pässwörd-ünïcødé-密码", "eight ch"])
def test_policy_accepts_long_non_ascii_and_spaced_passwords(password):
    assert policy_error(password) is None


def test_stored_hashes_are_argon2id(make_user):
    assert make_user().password_hash.startswith("$argon2id$")


@pytest.mark.parametrize("new", ["y" * 128, "pässwörd-ünïcødé-密码"])
def test_a_long_or_non_ascii_password_works_for_login(client, make_user, login_as, new):
    user = make_user(email="ada@corp.test")
    login_as(user)
    assert change(client, PASSWORD, new).status_code == 302
    client.post("/auth/logout")
    response = client.post("/auth/login", data={"email": "ada@corp.test", "password": new})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_changing_the_password_needs_the_current_one(client, make_user, login_as):
    user = make_user()
    login_as(user)
    response = change(client, "not my password", "a brand new passphrase")
    assert response.status_code == 400
    assert "not your current password" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert verify_password(user.password_hash, PASSWORD)


def test_a_common_new_password_is_refused(client, make_user, login_as):
    login_as(make_user())
    response = change(client, PASSWORD, "password123")
    assert response.status_code == 400 and "too common" in response.get_data(as_text=True)


def test_changing_the_password_ends_other_sessions_but_not_this_one(app, make_user):
    user = make_user(email="ada@corp.test")
    here, elsewhere = app.test_client(), app.test_client()
    for client in (here, elsewhere):
        client.post("/auth/login", data={"email": "ada@corp.test", "password": PASSWORD})
    assert change(here, PASSWORD, "a brand new passphrase").status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    db.session.refresh(user)
    assert verify_password(user.password_hash, "a brand new passphrase")


def test_sign_out_everywhere_ends_every_session(app, make_user):
    make_user(email="ada@corp.test")
    here, elsewhere = app.test_client(), app.test_client()
    for client in (here, elsewhere):
        client.post("/auth/login", data={"email": "ada@corp.test", "password": PASSWORD})
    here.post("/auth/account/sign-out-everywhere")
    assert here.get("/").status_code == 302
    assert elsewhere.get("/").status_code == 302


def test_reset_request_answers_the_same_for_known_and_unknown_emails(client, make_user):
    make_user(email="ada@corp.test")
    known = client.post("/auth/reset", data={"email": "ada@corp.test"}, follow_redirects=True)
    unknown = client.post("/auth/reset", data={"email": "who@corp.test"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    links = db.session.scalars(db.select(OneTimeLink)).all()
    assert len(links) == 1 and links[0].purpose is LinkPurpose.RESET


def _link(user, purpose=LinkPurpose.INVITATION):
    secret = issue_link(user, purpose)
    db.session.commit()
    return f"/auth/set-password/{secret}"


def test_an_invitation_link_sets_the_password_once(client, make_user):
    user = make_user(email="new@corp.test", password=None)
    url = _link(user)
    form = {"password": "my first passphrase", "confirm": "my first passphrase"}
    response = client.post(url, data=form)
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # logged in
    db.session.refresh(user)
    assert verify_password(user.password_hash, "my first passphrase")
    assert client.post(url, data=form).status_code == 410
    assert client.get(url).status_code == 410


def test_an_expired_link_is_refused(client, make_user):
    user = make_user(password=None)
    url = _link(user, LinkPurpose.RESET)
    with time_machine.travel(timedelta(hours=2)):
        assert client.get(url).status_code == 410


def test_an_invitation_lasts_a_week_and_no_longer(client, make_user):
    user = make_user(password=None)
    url = _link(user, LinkPurpose.INVITATION)
    with time_machine.travel(timedelta(days=6, hours=23)):
        assert client.get(url).status_code == 200
    with time_machine.travel(timedelta(days=7, minutes=1)):
        assert client.get(url).status_code == 410


def test_a_link_never_stores_its_secret(make_user):
    user = make_user()
    url = _link(user)
    stored = db.session.scalars(db.select(OneTimeLink.token_hash)).one()
    assert url.rsplit("/", 1)[1] != stored and len(stored) == 64


def test_a_weak_password_on_a_link_is_refused_and_the_link_still_works(client, make_user):
    user = make_user(password=None)
    url = _link(user)
    response = client.post(url, data={"password": "short", "confirm": "short"})
    assert response.status_code == 200 and "at least 8" in response.get_data(as_text=True)
    assert client.get(url).status_code == 200


def test_the_bundled_list_of_common_passwords_holds_at_least_ten_thousand():
    listed = common_passwords()
    assert len(listed) >= 10_000
    assert {"password", "123456", "qwerty", "iloveyou"} <= listed
    long_enough = sorted(word for word in listed if len(word) >= 8)
    assert all("too common" in policy_error(word) for word in long_enough[::500])


def test_setting_a_password_through_a_reset_link_ends_every_other_session(app, make_user):
    user = make_user(email="ada@corp.test")
    elsewhere = app.test_client()
    elsewhere.post("/auth/login", data={"email": "ada@corp.test", "password": PASSWORD})
    assert elsewhere.get("/").status_code == 200
    url = _link(user, LinkPurpose.RESET)
    here = app.test_client()
    form = {"password": "a fresh passphrase", "confirm": "a fresh passphrase"}
    assert here.post(url, data=form).status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
