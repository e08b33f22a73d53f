"""Who may use /scim/v2, and the RFC 7644 error document of every refusal."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tracker.extensions import db
from tracker.models import AuditEvent, Integration, Role, User
from tracker.operations.tokens import create_integration, issue_token, revoke_integration

SCIM = "application/scim+json"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def call(client: Any, method: str, path: str, secret: str | None, body: Any = None, **kw: Any):
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    data = kw.pop("raw", None if body is None else json.dumps(body))
    return client.open(
        f"/scim/v2{path}",
        method=method,
        data=data,
        headers=headers,
        content_type=kw.pop("content_type", SCIM),
    )


@pytest.fixture
def secret(app) -> str:
    _, token = create_integration("Directory", ["scim"], None)
    db.session.commit()
    return token


def assert_error(response, status: int, scim_type: str | None = None) -> dict[str, Any]:
    assert response.status_code == status
    assert response.mimetype == SCIM
    body = response.get_json()
    assert body["schemas"] == [ERROR]
    assert body["status"] == str(status)  # a string, as RFC 7644 §3.12 shows
    assert body.get("scimType") == scim_type
    assert body["detail"]
    return body


def denials() -> list[str]:
    query = db.select(AuditEvent.target).where(AuditEvent.action == "access.denied")
    return list(db.session.scalars(query))


def test_no_token_is_a_401_with_a_challenge(client):
    response = call(client, "GET", "/Users", None)
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_token_is_a_401(client, secret):
    assert_error(call(client, "GET", "/Users", "trk_not-a-token"), 401)


def test_a_revoked_integration_is_a_401(client, secret):
    revoke_integration(db.session.scalar(db.select(Integration)), None)
    db.session.commit()
    assert_error(call(client, "GET", "/Users", secret), 401)


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.ADMIN])
def test_a_persons_token_is_refused_even_an_admins(client, make_user, role):
    person = make_user(roles=[role])
    _, token = issue_token(person, "mine")
    db.session.commit()
    assert_error(call(client, "GET", "/Users", token), 403)
    assert denials() == ["GET /scim/v2/Users"]


def test_an_integration_without_the_scim_scope_is_refused(client):
    _, token = create_integration("Learning platform", ["xapi"], None)
    db.session.commit()
    assert_error(call(client, "POST", "/Users", token, {"schemas": [USER]}), 403)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_a_logged_in_admins_cookie_is_not_a_token(client, make_user, login_as):
    login_as(make_user(roles=[Role.ADMIN]))
    assert_error(call(client, "GET", "/Users", None), 401)


def test_malformed_json_is_invalid_syntax_and_audited(client, secret):
    body = assert_error(call(client, "POST", "/Users", secret, raw="{nope"), 400, "invalidSyntax")
    assert "JSON" in body["detail"]
    refused = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "scim.refused"))
    assert refused.actor_email == "integration Directory"
    assert "status=400" in refused.detail


def test_a_body_that_is_not_json_is_invalid_syntax(client, secret):
    response = call(client, "POST", "/Users", secret, raw="userName=a", content_type="text/plain")
    assert_error(response, 400, "invalidSyntax")


def test_application_json_is_accepted_too(client, secret):
    response = call(
        client,
        "POST",
        "/Users",
        secret,
        {"schemas": [USER], "userName": "ada@corp.test"},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.mimetype == SCIM


def test_a_user_name_that_is_not_an_email_is_an_invalid_value(client, secret):
    body = {"schemas": [USER], "userName": "bjensen"}
    detail = assert_error(call(client, "POST", "/Users", secret, body), 400, "invalidValue")
    assert "email" in detail["detail"]


def test_a_missing_user_name_is_an_invalid_value(client, secret):
    assert_error(call(client, "POST", "/Users", secret, {"schemas": [USER]}), 400, "invalidValue")


def test_an_email_in_use_is_a_uniqueness_conflict_and_nothing_is_written(client, secret, make_user):
    make_user(email="ada@corp.test")
    body = {"schemas": [USER], "userName": "ADA@corp.test", "externalId": "x"}
    assert_error(call(client, "POST", "/Users", secret, body), 409, "uniqueness")
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_changing_an_email_to_one_in_use_is_a_uniqueness_conflict(client, secret, make_user):
    ada, _ = make_user(email="ada@corp.test", name="Ada"), make_user(email="bo@corp.test")
    body = {"schemas": [USER], "userName": "bo@corp.test", "name": {"formatted": "Changed"}}
    assert_error(call(client, "PUT", f"/Users/{ada.id}", secret, body), 409, "uniqueness")
    db.session.refresh(ada)
    assert (ada.email, ada.name) == ("ada@corp.test", "Ada")


@pytest.mark.parametrize(
    ("filter_", "why"),
    [
        ('userName co "a"', "not supported"),
        ("userName eq", "not valid"),
        ('title eq "x"', "not supported"),
        ('userName eq "a" or userName eq "b"', "not supported"),
    ],
)
def test_an_unsupported_or_broken_filter_is_invalid_filter(client, secret, filter_, why):
    body = assert_error(
        call(client, "GET", f"/Users?filter={filter_}", secret), 400, "invalidFilter"
    )
    assert why in body["detail"]


def test_a_bad_count_is_an_invalid_value(client, secret):
    assert_error(call(client, "GET", "/Users?count=many", secret), 400, "invalidValue")


@pytest.mark.parametrize(
    ("operation", "scim_type"),
    [
        ({"op": "replace", "path": "nope", "value": 1}, "invalidPath"),
        ({"op": "replace", "path": 'emails[type eq "home"].value', "value": "x@y.com"}, "noTarget"),
        ({"op": "replace", "path": "id", "value": "5"}, "mutability"),
        ({"op": "remove", "path": "groups"}, "mutability"),
        ({"op": "frob", "path": "active", "value": True}, "invalidValue"),
        ({"op": "replace", "path": "active", "value": "maybe"}, "invalidValue"),
        ({"op": "replace", "path": "userName", "value": "not an email"}, "invalidValue"),
    ],
)
def test_a_bad_patch_is_refused_with_its_scim_type_and_changes_nothing(
    client, secret, make_user, operation, scim_type
):
    ada = make_user(email="ada@corp.test", name="Ada")
    body = {
        "schemas": [PATCH],
        "Operations": [{"op": "replace", "path": "name.formatted", "value": "Changed"}, operation],
    }
    assert_error(call(client, "PATCH", f"/Users/{ada.id}", secret, body), 400, scim_type)
    db.session.refresh(ada)
    assert ada.name == "Ada"


def test_an_unknown_user_or_group_is_a_404(client, secret):
    assert_error(call(client, "GET", "/Users/4242", secret), 404)
    assert_error(call(client, "DELETE", "/Groups/4242", secret), 404)
    assert_error(call(client, "GET", "/Users/99999999999999999999999", secret), 404)


def test_an_unknown_path_and_a_wrong_method_are_scim_errors(client, secret):
    assert_error(call(client, "GET", "/Nope", secret), 404)
    response = call(client, "DELETE", "/ServiceProviderConfig", secret)
    assert_error(response, 405)
    assert "GET" in response.headers["Allow"]


def test_searching_every_resource_type_at_once_is_not_implemented(client, secret):
    assert_error(call(client, "POST", "/.search", secret, {}), 501)


def test_a_body_nested_too_deep_is_invalid_syntax(client, secret):
    response = call(client, "POST", "/Users", secret, raw="[" * 200 + "]" * 200)
    assert_error(response, 400, "invalidSyntax")


def test_the_service_describes_itself(client, secret):
    config = call(client, "GET", "/ServiceProviderConfig", secret).get_json()
    assert config["patch"] == {"supported": True}
    assert config["bulk"]["supported"] is False and config["sort"] == {"supported": False}
    assert config["filter"] == {"supported": True, "maxResults": 200}
    assert config["etag"] == {"supported": False}
    types = call(client, "GET", "/ResourceTypes", secret).get_json()
    group = next(t for t in types["Resources"] if t["id"] == "Group")
    extension = "urn:ietf:params:scim:schemas:extension:tracker:2.0:Group"
    assert group["schemaExtensions"] == [{"schema": extension, "required": False}]
    schema = call(client, "GET", f"/Schemas/{extension}", secret).get_json()
    assert [a["name"] for a in schema["attributes"]] == ["managers"]
    user = call(client, "GET", f"/Schemas/{USER}", secret).get_json()
    emails = next(a for a in user["attributes"] if a["name"] == "emails")
    assert emails["mutability"] == "readOnly"
    for path in ("/ServiceProviderConfig", "/ResourceTypes", "/Schemas"):
        assert call(client, "GET", path, secret).mimetype == SCIM


def test_text_holding_a_nul_character_is_refused_not_stored(client, secret):
    body = {"schemas": [USER], "userName": "a\x00b@corp.test"}
    assert_error(call(client, "POST", "/Users", secret, body), 400, "invalidValue")
    response = call(client, "GET", '/Users?filter=userName eq "a\x00b"', secret)
    assert "NUL" in assert_error(response, 400, "invalidSyntax")["detail"]
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_a_body_over_the_limit_is_refused_and_nothing_stored(client, secret):
    huge = json.dumps({"schemas": [USER], "userName": "a@corp.test", "x": "y" * 3_000_000})
    assert_error(call(client, "POST", "/Users", secret, raw=huge), 413)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0
