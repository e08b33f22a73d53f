"""SCIM Users are people: creation, reading, lists, replacement, patches and deprovisioning."""

from __future__ import annotations

import json
import time
from datetime import date
from typing import Any

import pytest

from tests.catalogue_fixtures import SMALL
from tracker.catalogue.service import import_text
from tracker.extensions import db
from tracker.models import AuditEvent, Evidence, EvidenceKind, EvidenceStatus, Module, Role, User
from tracker.operations.tokens import create_integration, issue_token

SCIM = "application/scim+json"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class Scim:
    """A SCIM client of the app: an integration's bearer token, SCIM JSON both ways."""

    def __init__(self, client: Any, secret: str) -> None:
        self.client, self.headers = client, {"Authorization": f"Bearer {secret}"}

    def __call__(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body)
        return self.client.open(
            f"/scim/v2{path}", method=method, data=data, content_type=SCIM, headers=self.headers
        )


@pytest.fixture
def scim(app, client) -> Scim:
    _, secret = create_integration("Directory", ["scim"], None)
    db.session.commit()
    return Scim(client, secret)


def new_user(email: str = "ada@corp.test", **extra: Any) -> dict[str, Any]:
    return {"schemas": [USER], "userName": email, **extra}


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH], "Operations": list(operations)}


def actions() -> list[tuple[str, str | None]]:
    rows = db.session.execute(db.select(AuditEvent.action, AuditEvent.actor_email))
    return [tuple(row) for row in rows]


def test_a_created_user_is_an_engineer_without_a_password_named_from_the_request(scim):
    response = scim(
        "POST",
        "/Users",
        new_user(
            "Ada@Corp.test", name={"givenName": "Ada", "familyName": "Lovelace"}, externalId="x-1"
        ),
    )
    assert response.status_code == 201
    assert response.mimetype == SCIM
    body = response.get_json()
    person = db.session.get(User, int(body["id"]))
    assert (person.email, person.name, person.external_id) == (
        "ada@corp.test",
        "Ada Lovelace",
        "x-1",
    )
    assert person.roles == {Role.ENGINEER} and person.password_hash is None and person.active
    assert body["userName"] == "ada@corp.test"
    assert body["meta"]["resourceType"] == "User"
    assert response.headers["Location"] == body["meta"]["location"]
    assert body["meta"]["location"].endswith(f"/scim/v2/Users/{person.id}")
    assert ("person.created", "integration Directory") in actions()


@pytest.mark.parametrize(
    ("extra", "name"),
    [
        ({"name": {"formatted": "Ada L.", "givenName": "A", "familyName": "B"}}, "Ada L."),
        ({"name": {"givenName": "Ada", "familyName": "Lovelace"}}, "Ada Lovelace"),
        ({"displayName": "Countess"}, "Countess"),
    ],
)
def test_the_name_comes_from_formatted_then_given_and_family_then_display_name(scim, extra, name):
    response = scim("POST", "/Users", new_user(**extra))
    assert db.session.get(User, int(response.get_json()["id"])).name == name


def test_a_user_created_inactive_is_an_inactive_person(scim):
    response = scim("POST", "/Users", new_user(active=False))
    assert db.session.get(User, int(response.get_json()["id"])).active is False


def test_reading_a_user_shows_their_team_as_a_read_only_group(scim, make_user, make_team):
    person = make_user(email="bo@corp.test", name="Bo")
    team = make_team(name="Payments", members=[person])
    body = scim("GET", f"/Users/{person.id}").get_json()
    assert body["groups"] == [
        {
            "value": str(team.id),
            "$ref": f"http://localhost/scim/v2/Groups/{team.id}",
            "display": "Payments",
            "type": "direct",
        }
    ]
    assert body["emails"] == [{"value": "bo@corp.test", "type": "work", "primary": True}]
    assert body["name"] == {"formatted": "Bo"} and body["displayName"] == "Bo"


def test_groups_sent_with_a_user_change_nothing(scim, make_team):
    team = make_team(name="Payments")
    response = scim("POST", "/Users", new_user(groups=[{"value": str(team.id)}]))
    assert response.status_code == 201
    assert db.session.get(User, int(response.get_json()["id"])).team_id is None


def test_the_list_filters_by_user_name_ignoring_case(scim, make_user):
    make_user(email="ada@corp.test")
    make_user(email="bo@corp.test")
    body = scim("GET", '/Users?filter=userName eq "ADA@corp.test"').get_json()
    assert body["totalResults"] == 1
    assert [r["userName"] for r in body["Resources"]] == ["ada@corp.test"]


def test_the_list_filters_by_external_id(scim, make_user):
    person = make_user()
    person.external_id = "okta-7"
    db.session.commit()
    body = scim("GET", '/Users?filter=externalId eq "okta-7"').get_json()
    assert [r["id"] for r in body["Resources"]] == [str(person.id)]


def test_the_list_pages_with_start_index_and_count(scim, make_user):
    people = [make_user() for _ in range(5)]
    body = scim("GET", "/Users?startIndex=2&count=2").get_json()
    assert body["totalResults"] == 5
    assert body["startIndex"] == 2 and body["itemsPerPage"] == 2
    assert [r["id"] for r in body["Resources"]] == [str(p.id) for p in people[1:3]]


def test_put_replaces_email_name_active_and_external_id(scim, make_user):
    person = make_user(email="old@corp.test", name="Old")
    response = scim(
        "PUT",
        f"/Users/{person.id}",
        new_user("new@corp.test", name={"formatted": "New"}, active=False, externalId="e-2"),
    )
    assert response.status_code == 200
    db.session.refresh(person)
    assert (person.email, person.name, person.active, person.external_id) == (
        "new@corp.test",
        "New",
        False,
        "e-2",
    )
    assert {"person.email_changed", "person.renamed", "person.deactivated"} <= {
        a for a, _ in actions()
    }


@pytest.mark.parametrize(
    ("operation", "check"),
    [
        (
            {"op": "replace", "path": "name.formatted", "value": "Ada B"},
            lambda p: p.name == "Ada B",
        ),
        (
            {"op": "replace", "path": "name.givenName", "value": "Augusta"},
            lambda p: p.name == "Augusta",
        ),
        (
            {"op": "replace", "value": {"userName": "ada.b@corp.test"}},
            lambda p: p.email == "ada.b@corp.test",
        ),
        ({"op": "replace", "path": "active", "value": False}, lambda p: p.active is False),
        ({"op": "add", "path": "externalId", "value": "ext"}, lambda p: p.external_id == "ext"),
        (
            {"op": "replace", "path": 'emails[type eq "work"].value', "value": "a@new.test"},
            lambda p: p.email == "a@new.test",
        ),
        ({"op": "remove", "path": "externalId"}, lambda p: p.external_id is None),
    ],
)
def test_a_patch_changes_the_person(scim, make_user, operation, check):
    person = make_user(email="ada@corp.test", name="Ada")
    person.external_id = "before"
    db.session.commit()
    response = scim("PATCH", f"/Users/{person.id}", patch(operation))
    assert response.status_code == 200, response.get_json()
    db.session.refresh(person)
    assert check(person)


def test_deactivation_ends_a_live_session_and_the_persons_api_tokens(app, scim, make_user):
    person = make_user()
    _, secret = issue_token(person, "laptop")
    db.session.commit()
    theirs = app.test_client()
    with theirs.session_transaction() as sess:
        sess["_user_id"] = person.get_id()
        sess["login_at"] = sess["seen_at"] = int(time.time())
    assert theirs.get("/").status_code == 200
    api = {"Authorization": f"Bearer {secret}"}
    assert theirs.get("/api/v1/me", headers=api).status_code == 200

    response = scim(
        "PATCH", f"/Users/{person.id}", patch({"op": "replace", "value": {"active": False}})
    )

    assert response.status_code == 200 and response.get_json()["active"] is False
    assert theirs.get("/").status_code == 302  # anonymous now: sent to the login page
    assert theirs.get("/api/v1/me", headers=api).status_code == 401
    assert ("person.deactivated", "integration Directory") in actions()


def test_delete_keeps_the_person_and_evidence_but_hides_them_from_scim(scim, make_user):
    person = make_user(email="ada@corp.test")
    import_text(SMALL, "small.yaml")
    module = db.session.scalar(db.select(Module.id).where(Module.key == "pipelines-101"))
    db.session.add(
        Evidence(
            user_id=person.id,
            kind=EvidenceKind.COMPLETION,
            module_id=module,
            date=date(2026, 1, 5),
            status=EvidenceStatus.PENDING,
        )
    )
    db.session.commit()
    assert scim("DELETE", f"/Users/{person.id}").status_code == 204
    db.session.refresh(person)
    assert person.active is False and person.deprovisioned_at is not None
    assert db.session.scalar(db.select(Evidence.id).where(Evidence.user_id == person.id))
    assert scim("GET", f"/Users/{person.id}").status_code == 404
    assert scim("GET", "/Users").get_json()["totalResults"] == 0
    assert {"person.deactivated", "person.deprovisioned"} <= {a for a, _ in actions()}


def test_a_deleted_person_provisioned_again_is_the_same_person(scim, make_user):
    person = make_user(email="ada@corp.test")
    scim("DELETE", f"/Users/{person.id}")
    response = scim("POST", "/Users", new_user("ADA@corp.test", name={"formatted": "Ada"}))
    assert response.status_code == 201
    assert response.get_json()["id"] == str(person.id)
    db.session.refresh(person)
    assert person.active and person.deprovisioned_at is None and person.name == "Ada"
    assert "person.reprovisioned" in {a for a, _ in actions()}


def test_the_last_active_admin_cannot_be_deactivated(scim, make_user):
    admin = make_user(roles=[Role.ADMIN])
    response = scim(
        "PATCH", f"/Users/{admin.id}", patch({"op": "replace", "path": "active", "value": False})
    )
    assert response.status_code == 400
    assert response.get_json()["scimType"] == "invalidValue"
    assert "last active admin" in response.get_json()["detail"]
    assert scim("DELETE", f"/Users/{admin.id}").status_code == 400
    db.session.refresh(admin)
    assert admin.active and admin.deprovisioned_at is None


def test_an_admin_may_be_deactivated_while_another_remains(scim, make_user):
    admin = make_user(roles=[Role.ADMIN])
    make_user(roles=[Role.ADMIN])
    assert scim("DELETE", f"/Users/{admin.id}").status_code == 204


def test_listing_users_takes_as_many_statements_for_many_people_as_for_few(
    scim, make_user, make_team, count_statements
):
    def statements(path: str) -> int:
        with count_statements() as counter:
            assert scim("GET", path).status_code == 200
        return counter.count

    team = make_team()
    for _ in range(3):
        make_user(team=team)
    make_user(email="x@corp.test", team=team)
    scim("GET", "/Users")  # the token's first use is written down; later ones within a minute not
    few = (statements("/Users?count=50"), statements('/Users?filter=userName eq "x@corp.test"'))
    for _ in range(30):
        make_user(team=team)
    make_user(team=make_team())
    many = (statements("/Users?count=50"), statements('/Users?filter=userName eq "x@corp.test"'))
    assert few == many
