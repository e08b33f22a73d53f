"""The catalogue over the API: read by key; L&D import with PUT /api/v1/catalog."""

import json

import pytest
import yaml

from tests.catalogue_fixtures import SMALL
from tracker.catalogue.service import import_text
from tracker.extensions import db
from tracker.models import Module, Role
from tracker.operations.tokens import issue_token

CATALOGUE = yaml.safe_load(SMALL)


@pytest.fixture
def bearer(make_user):
    def headers(*roles):
        _, secret = issue_token(make_user(roles=list(roles) or [Role.ENGINEER]), "test")
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return headers


@pytest.fixture
def loaded(app):
    import_text(SMALL, "small.yaml")
    db.session.commit()


def modules():
    return db.session.scalars(db.select(Module.key).order_by(Module.id)).all()


def test_lists_are_paged_by_key(client, bearer, loaded):
    answer = client.get("/api/v1/modules?limit=2&offset=1", headers=bearer()).get_json()
    assert answer["total"] == 3
    assert [m["key"] for m in answer["items"]] == ["pipelines-101", "capstone"]
    assert answer["items"][1]["assessment"] == {"kind": "project", "pass_mark": 60}
    roles = client.get("/api/v1/roles", headers=bearer()).get_json()["items"]
    assert {"competency": "model-evaluation", "level": 3, "weight": 2} in roles[0]["requires"]


def test_a_path_by_key(client, bearer, loaded):
    path = client.get("/api/v1/paths/swe-to-mle", headers=bearer()).get_json()
    assert path["modules"] == ["mlcc-classification", "pipelines-101", "capstone"]
    assert client.get("/api/v1/paths/nope", headers=bearer()).status_code == 404


def test_ld_imports_the_catalogue(client, bearer):
    response = client.put("/api/v1/catalog", json=CATALOGUE, headers=bearer(Role.LD))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["report"]["modules"]["added"] == [
        "mlcc-classification",
        "pipelines-101",
        "capstone",
    ]
    assert modules() == ["mlcc-classification", "pipelines-101", "capstone"]


def test_a_dry_run_changes_nothing(client, bearer):
    response = client.put("/api/v1/catalog?dry_run=1", json=CATALOGUE, headers=bearer(Role.LD))
    assert response.status_code == 200 and response.get_json()["dry_run"] is True
    assert modules() == []


def test_only_ld_and_admins_may_import(client, bearer):
    for roles in ([Role.ENGINEER], [Role.MANAGER]):
        response = client.put("/api/v1/catalog", json=CATALOGUE, headers=bearer(*roles))
        assert response.status_code == 403
    assert (
        client.put("/api/v1/catalog", json=CATALOGUE, headers=bearer(Role.ADMIN)).status_code == 200
    )


def test_a_bad_catalogue_is_422_naming_each_field_and_nothing_changes(client, bearer):
    bad = json.loads(json.dumps(CATALOGUE))
    bad["modules"][0]["assessment"]["pass_mark"] = 101
    bad["roles"][0]["requires"][0]["level"] = 0
    response = client.put("/api/v1/catalog", json=bad, headers=bearer(Role.LD))
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert fields["modules[0].assessment.pass_mark"].startswith("must be 0 to 100")
    assert fields["roles[0].requires[0].level"].startswith("must be 1 to 4")
    assert modules() == []


def test_a_body_that_is_not_a_json_object_is_400(client, bearer):
    response = client.put("/api/v1/catalog", data="version: 1", headers=bearer(Role.LD))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
