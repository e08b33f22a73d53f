"""Single sign-on against a real OpenID Connect provider on loopback (oidc-provider-mock).

The provider runs in a thread of this process and is driven over HTTP as a browser would: the
tracker sends the browser to its authorize page, the test "signs in" there as a subject whose
claims it set with PUT /users/{sub}, and follows the redirect back to /auth/oidc/callback.

Where a real provider would never issue a bad token (another audience, another issuer, another
nonce, a broken signature), the provider is made to misbehave on its token endpoint: the ID token
it issued is re-signed with its own key with one claim changed, or changed and left unsigned.
Authlib's checks themselves are never replaced.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import flask
import oidc_provider_mock
import pytest
import requests
import time_machine
import werkzeug.serving
from joserfc import jwt
from joserfc.jwk import RSAKey

from config import TestingConfig
from tests.conftest import IsolatedClient
from tests.servers import free_port
from tracker import create_app
from tracker.extensions import db
from tracker.models import AuditEvent, Role, User

CLIENT_ID = "tracker"
CLIENT_SECRET = "tracker-secret"  # noqa: S105  (the mock provider accepts any secret)

TokenChange = Callable[[str], str]


@dataclass
class Provider:
    """A running provider: its issuer URL, and a one-shot change to its next ID token."""

    url: str
    changes: list[TokenChange] = field(default_factory=list)
    discovery: dict[str, object] = field(default_factory=dict)  # claims its discovery overrides

    def set_user(self, sub: str, **claims: object) -> None:
        """Give subject `sub` these claims (email, email_verified, name, ...)."""
        answer = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=5)
        assert answer.status_code == 204, answer.text

    def authorize(self, authorize_url: str, sub: str) -> str:
        """Sign in as `sub` on the provider's page; return where it sends the browser back."""
        answer = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=5)
        assert answer.status_code == 302, answer.text
        return str(answer.headers["Location"])


def _claims_of(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload, _ = token.split(".")
    pad = lambda part: part + "=" * (-len(part) % 4)  # noqa: E731
    return (
        json.loads(base64.urlsafe_b64decode(pad(header))),
        json.loads(base64.urlsafe_b64decode(pad(payload))),
    )


def resigned(**changes: object) -> TokenChange:
    """A change that re-signs the ID token, with the provider's own key, with `changes` made."""

    def change(token: str) -> str:
        header, claims = _claims_of(token)
        claims.update(changes)
        storage = flask.g.oidc_provider_mock_storage  # the provider's own keys
        key = RSAKey.import_key(storage.jwk.as_dict(is_private=True))
        return jwt.encode(header, claims, key)

    return change


def altered(**changes: object) -> TokenChange:
    """A change that alters the ID token's claims on the way, keeping the old signature."""

    def change(token: str) -> str:
        header, claims = _claims_of(token)
        claims.update(changes)
        encode = lambda part: base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=")  # noqa: E731
        return ".".join([encode(header).decode(), encode(claims).decode(), token.split(".")[2]])

    return change


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    """A real OpenID Connect provider on a loopback port, in a thread; nonces required."""
    provider_app = oidc_provider_mock.app(require_nonce=True)
    server = werkzeug.serving.make_server("127.0.0.1", 0, provider_app, threaded=True)
    running = Provider(url=f"http://127.0.0.1:{server.server_port}")

    @provider_app.after_request
    def misbehave(response: flask.Response) -> flask.Response:
        if flask.request.path.endswith("/openid-configuration") and running.discovery:
            response.set_data(json.dumps(response.get_json() | running.discovery))
            return response
        if flask.request.path != "/oauth2/token" or not running.changes:
            return response
        body = response.get_json()
        body["id_token"] = running.changes.pop(0)(body["id_token"])
        response.set_data(json.dumps(body))
        return response

    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield running
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


@pytest.fixture
def make_sso_app(app: flask.Flask, database_url: str) -> Iterator[Callable[..., flask.Flask]]:
    """Make apps signing in with a provider, on the test's database (`app` empties it after)."""
    made: list[flask.Flask] = []

    def make(issuer: str, **overrides: object) -> flask.Flask:
        sso_app = create_app(
            TestingConfig,
            SQLALCHEMY_DATABASE_URI=database_url,
            OIDC_ISSUER=issuer,
            OIDC_CLIENT_ID=CLIENT_ID,
            OIDC_CLIENT_SECRET=CLIENT_SECRET,
            **overrides,
        )
        sso_app.test_client_class = IsolatedClient
        made.append(sso_app)
        return sso_app

    yield make
    for sso_app in made:
        with sso_app.app_context():
            db.engine.dispose()


@pytest.fixture
def sso_client(make_sso_app, provider: Provider):
    """A browser on an app signing in with `provider` (no accounts created on first sign-in)."""
    return make_sso_app(provider.url).test_client()


def start(client, next_url: str | None = None) -> str:
    """Press "Sign in with your company account"; return the provider's authorize URL."""
    answer = client.get("/auth/oidc/login", query_string={"next": next_url} if next_url else {})
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith("http://127.0.0.1:")
    return location


def local(url: str) -> str:
    """Return the path and query of `url` (the test browser keeps its cookies for one host)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def sign_in(client, provider: Provider, sub: str, next_url: str | None = None):
    """Go through the whole flow as `sub`; return the tracker's answer to the callback."""
    back = provider.authorize(start(client, next_url), sub)
    assert urlsplit(back).path == "/auth/oidc/callback"
    return client.get(local(back))


def audit_rows(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)))


def person(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(db.select(User).where(User.email == email))


def assert_refused(client, answer, says: str, reason: str) -> None:
    """The callback refused: back to the login page with `says`, audited with `reason`."""
    assert answer.status_code == 302 and answer.headers["Location"] == "/auth/login"
    page = client.get("/auth/login")
    assert page.status_code == 200 and says in page.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still nobody
    failures = audit_rows("login.failure")
    assert any(reason in row.detail for row in failures), [row.detail for row in failures]
    assert not audit_rows("login.success")
    assert all("eyJ" not in row.detail for row in failures)  # never a token in the trail


# --- Signing in ---------------------------------------------------------------------------


def test_an_existing_person_signs_in_by_verified_email(sso_client, provider, make_user):
    ada = make_user(email="ada@corp.test", name="Ada")
    provider.set_user("ada-1", email="Ada@corp.test", email_verified=True, name="Ada L.")

    answer = sign_in(sso_client, provider, "ada-1", next_url="/progress/evidence")

    assert answer.status_code == 302 and answer.headers["Location"] == "/progress/evidence"
    home = sso_client.get("/")
    assert home.status_code == 200
    assert person("ada@corp.test").sso_subject == "ada-1"
    assert person("ada@corp.test").id == ada.id
    [success] = audit_rows("login.success")
    assert success.target == "ada@corp.test" and success.detail == "single sign-on"
    assert success.actor_id == ada.id
    assert [row.target for row in audit_rows("sso.linked")] == ["ada@corp.test"]


def test_a_linked_person_is_found_by_subject_even_after_an_email_change(
    sso_client, provider, make_user
):
    make_user(email="bo@corp.test")
    provider.set_user("bo-1", email="bo@corp.test", email_verified=True)
    assert sign_in(sso_client, provider, "bo-1").status_code == 302
    sso_client.post("/auth/logout")

    provider.set_user("bo-1", email="bo.new@corp.test", email_verified=False)
    answer = sign_in(sso_client, provider, "bo-1")

    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert sso_client.get("/").status_code == 200
    assert len(audit_rows("login.success")) == 2


def test_signing_out_ends_a_single_sign_on_session(sso_client, provider, make_user):
    make_user(email="cy@corp.test")
    provider.set_user("cy-1", email="cy@corp.test", email_verified=True)
    sign_in(sso_client, provider, "cy-1")
    with sso_client.session_transaction() as sess:
        captured = dict(sess)

    sso_client.post("/auth/logout")
    with sso_client.session_transaction() as sess:
        sess.update(captured)  # the cookie from before signing out, replayed

    assert sso_client.get("/").status_code == 302


def test_the_next_page_after_sign_in_is_never_off_the_site(sso_client, provider, make_user):
    make_user(email="di@corp.test")
    provider.set_user("di-1", email="di@corp.test", email_verified=True)

    answer = sign_in(sso_client, provider, "di-1", next_url="//evil.example/steal")

    assert answer.headers["Location"] == "/"


def test_first_sign_in_creates_an_engineer_when_creation_is_on(make_sso_app, provider):
    client = make_sso_app(provider.url, OIDC_CREATE_USERS=True).test_client()
    provider.set_user("new-1", email="new@corp.test", email_verified=True, name="Nia New")

    answer = sign_in(client, provider, "new-1")

    assert answer.status_code == 302
    created = person("new@corp.test")
    assert created is not None
    assert created.name == "Nia New" and created.roles == {Role.ENGINEER}
    assert created.sso_subject == "new-1" and created.password_hash is None
    assert client.get("/").status_code == 200
    assert [row.detail for row in audit_rows("person.created")] == ["roles=engineer team=None"]
    assert [row.detail for row in audit_rows("sso.linked")] == ["created at a first single sign-on"]
    assert len(audit_rows("login.success")) == 1


def test_a_created_person_without_a_name_claim_is_named_by_their_email(make_sso_app, provider):
    client = make_sso_app(provider.url, OIDC_CREATE_USERS=True).test_client()
    provider.set_user("new-2", email="quiet@corp.test", email_verified=True)

    sign_in(client, provider, "new-2")

    assert person("quiet@corp.test").name == "quiet@corp.test"


def test_nobody_is_created_when_creation_is_off(sso_client, provider):
    provider.set_user("stranger-1", email="stranger@corp.test", email_verified=True)

    answer = sign_in(sso_client, provider, "stranger-1")

    assert_refused(sso_client, answer, "Ask an admin to add you", "creation is off")
    assert person("stranger@corp.test") is None
    assert [row.target for row in audit_rows("login.failure")] == ["stranger@corp.test"]


# --- Refusals ---------------------------------------------------------------------------------


def test_an_unverified_email_is_refused_and_links_nobody(sso_client, provider, make_user):
    make_user(email="eve@corp.test")
    provider.set_user("eve-1", email="eve@corp.test", email_verified=False)

    answer = sign_in(sso_client, provider, "eve-1")

    assert_refused(sso_client, answer, "has not confirmed your email", "email not verified")
    assert person("eve@corp.test").sso_subject is None


def test_an_unverified_email_is_not_used_to_create_an_account_either(make_sso_app, provider):
    client = make_sso_app(provider.url, OIDC_CREATE_USERS=True).test_client()
    provider.set_user("eve-2", email="eve2@corp.test")  # no email_verified claim at all

    answer = sign_in(client, provider, "eve-2")

    assert_refused(client, answer, "has not confirmed your email", "email not verified")
    assert person("eve2@corp.test") is None


@pytest.mark.parametrize("how", ["inactive", "deprovisioned"])
def test_an_inactive_person_is_refused(sso_client, provider, make_user, how):
    gone = make_user(email="gone@corp.test", active=how != "inactive")
    if how == "deprovisioned":
        gone.active, gone.deprovisioned_at = False, datetime.now(UTC)
        db.session.commit()
    provider.set_user("gone-1", email="gone@corp.test", email_verified=True)

    answer = sign_in(sso_client, provider, "gone-1")

    assert_refused(sso_client, answer, "switched off", "account inactive")
    assert person("gone@corp.test").sso_subject is None


def test_an_inactive_person_is_refused_by_subject_too(sso_client, provider, make_user):
    left = make_user(email="left@corp.test")
    provider.set_user("left-1", email="left@corp.test", email_verified=True)
    sign_in(sso_client, provider, "left-1")
    sso_client.post("/auth/logout")
    left = person("left@corp.test")
    left.active = False
    db.session.commit()

    answer = sign_in(sso_client, provider, "left-1")

    assert answer.headers["Location"] == "/auth/login"
    assert sso_client.get("/").status_code == 302
    assert "account inactive" in audit_rows("login.failure")[-1].detail


def test_an_account_linked_to_another_subject_is_not_taken_over(sso_client, provider, make_user):
    owner = make_user(email="own@corp.test")
    owner.sso_subject = "own-1"
    db.session.commit()
    provider.set_user("impostor-1", email="own@corp.test", email_verified=True)

    answer = sign_in(sso_client, provider, "impostor-1")

    assert_refused(sso_client, answer, "linked to a different company sign-in", "another subject")
    assert person("own@corp.test").sso_subject == "own-1"


def test_a_forged_state_is_refused(sso_client, provider, make_user):
    make_user(email="st@corp.test")
    provider.set_user("st-1", email="st@corp.test", email_verified=True)
    back = provider.authorize(start(sso_client), "st-1")
    query = parse_qs(urlsplit(back).query)

    answer = sso_client.get(
        "/auth/oidc/callback", query_string={"code": query["code"][0], "state": "forged"}
    )

    assert_refused(sso_client, answer, "did not work", "state")


def test_a_callback_without_a_state_is_refused(sso_client, provider, make_user):
    make_user(email="st2@corp.test")
    provider.set_user("st2-1", email="st2@corp.test", email_verified=True)
    back = provider.authorize(start(sso_client), "st2-1")
    code = parse_qs(urlsplit(back).query)["code"][0]

    answer = sso_client.get("/auth/oidc/callback", query_string={"code": code})

    assert_refused(sso_client, answer, "did not work", "state")


def test_a_callback_in_another_browser_is_refused(make_sso_app, provider, make_user):
    """Login CSRF: an attacker's callback URL, opened in the victim's browser, logs nobody in."""
    make_user(email="mal@corp.test")
    sso_app = make_sso_app(provider.url)
    attacker, victim = sso_app.test_client(), sso_app.test_client()
    provider.set_user("mal-1", email="mal@corp.test", email_verified=True)
    back = provider.authorize(start(attacker), "mal-1")

    answer = victim.get(local(back))

    assert_refused(victim, answer, "did not work", "state")


def test_a_refused_sign_in_at_the_provider_logs_nobody_in(sso_client, provider):
    location = start(sso_client)
    denied = requests.post(location, data={"action": "deny"}, allow_redirects=False, timeout=5)

    answer = sso_client.get(local(denied.headers["Location"]))

    assert_refused(sso_client, answer, "did not work", "provider answered access_denied")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (resigned(aud="another-app"), "invalid claim 'aud'"),
        (resigned(aud="another-app", azp=CLIENT_ID), "invalid claim 'aud'"),
        (resigned(iss="http://127.0.0.1:1"), "invalid claim 'iss'"),
        (resigned(nonce="replayed"), "invalid claim 'nonce'"),
        (altered(email="boss@corp.test"), "signature not valid"),
    ],
    ids=[
        "wrong-audience",
        "wrong-audience-naming-us-as-azp",
        "wrong-issuer",
        "wrong-nonce",
        "bad-signature",
    ],
)
def test_an_id_token_that_fails_a_check_is_refused(sso_client, provider, make_user, change, reason):
    make_user(email="tok@corp.test")
    make_user(email="boss@corp.test", roles=[Role.ADMIN])
    provider.set_user("tok-1", email="tok@corp.test", email_verified=True)
    provider.changes.append(change)

    answer = sign_in(sso_client, provider, "tok-1")

    assert_refused(sso_client, answer, "did not work", reason)
    assert person("tok@corp.test").sso_subject is None
    assert person("boss@corp.test").sso_subject is None


def test_a_provider_whose_discovery_names_another_issuer_is_refused(
    sso_client, provider, make_user
):
    """The tokens would be checked against the issuer discovery names; it must be OIDC_ISSUER."""
    make_user(email="iss@corp.test")
    provider.set_user("iss-1", email="iss@corp.test", email_verified=True)
    provider.discovery["issuer"] = "https://impostor.example"
    try:
        answer = sign_in(sso_client, provider, "iss-1")
    finally:
        provider.discovery.clear()

    assert_refused(sso_client, answer, "did not work", "discovery named another issuer")
    assert person("iss@corp.test").sso_subject is None


@pytest.fixture(scope="module")
def short_lived_provider() -> Iterator[str]:
    """A provider in its own process (its own clock) whose ID tokens live one minute."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "oidc_provider_mock", "--port", str(port), "--token-max-age", "60"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(f"{url}/.well-known/openid-configuration", timeout=1)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the provider did not start"
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def test_an_expired_id_token_is_refused(make_sso_app, short_lived_provider, make_user):
    """The provider's clock is the real one; the tracker's is moved ten minutes on before the
    callback, past the token's minute of life and Authlib's two minutes of leeway."""
    make_user(email="late@corp.test")
    provider = Provider(url=short_lived_provider)
    provider.set_user("late-1", email="late@corp.test", email_verified=True)
    client = make_sso_app(provider.url).test_client()
    real_now = datetime.fromtimestamp(time_machine.escape_hatch.time.time(), UTC)
    with time_machine.travel(real_now, tick=True):
        back = provider.authorize(start(client), "late-1")
    with time_machine.travel(real_now + timedelta(minutes=10), tick=True):
        answer = client.get(local(back))
        assert_refused(client, answer, "did not work", "ID token expired")
    assert person("late@corp.test").sso_subject is None


def test_the_same_token_within_its_life_is_accepted(make_sso_app, short_lived_provider, make_user):
    """The control for the test above: the same steps with no time passing sign the person in."""
    make_user(email="ontime@corp.test")
    provider = Provider(url=short_lived_provider)
    provider.set_user("ontime-1", email="ontime@corp.test", email_verified=True)
    client = make_sso_app(provider.url).test_client()
    real_now = datetime.fromtimestamp(time_machine.escape_hatch.time.time(), UTC)
    with time_machine.travel(real_now, tick=True):
        back = provider.authorize(start(client), "ontime-1")
        answer = client.get(local(back))
        assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert person("ontime@corp.test").sso_subject == "ontime-1"


# --- The login page and an unreachable provider ----------------------------------------------


def test_the_login_page_offers_the_company_sign_in_only_when_configured(sso_client, client):
    with_sso = sso_client.get("/auth/login").get_data(as_text=True)
    without = client.get("/auth/login").get_data(as_text=True)

    assert "Sign in with your company account" in with_sso
    assert 'href="/auth/oidc/login"' in with_sso
    assert "Sign in with your company account" not in without
    assert client.get("/auth/oidc/login").status_code == 404


def test_an_unreachable_provider_gives_a_plain_message_not_an_error(make_sso_app):
    client = make_sso_app(f"http://127.0.0.1:{free_port()}").test_client()

    answer = client.get("/auth/oidc/login")

    assert answer.status_code == 302 and answer.headers["Location"] == "/auth/login"
    assert "could not be reached" in client.get("/auth/login").get_data(as_text=True)


def test_someone_already_signed_in_is_sent_home_not_to_the_provider(sso_client, make_user):
    someone = make_user(email="in@corp.test")
    with sso_client.session_transaction() as sess:
        sess["_user_id"] = someone.get_id()
        sess["login_at"] = sess["seen_at"] = int(time.time())

    answer = sso_client.get("/auth/oidc/login")

    assert answer.status_code == 302 and answer.headers["Location"] == "/"
