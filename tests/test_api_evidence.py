"""POST completions, attempts and verifications: 201 with the record; refusals record nothing."""

from datetime import timedelta

import pytest

from tests.catalogue_fixtures import SMALL
from tracker.catalogue.service import import_text
from tracker.clock import today
from tracker.extensions import db
from tracker.models import AuditEvent, Evidence, Notification, Role
from tracker.operations.tokens import issue_token

TODAY = today()


@pytest.fixture
def team(app, make_user, make_team):
    import_text(SMALL, "small.yaml")
    lead = make_user(email="lead@corp.test", roles=[Role.MANAGER, Role.ENGINEER])
    engineer = make_user(email="a@corp.test")
    other_lead = make_user(email="other@corp.test", roles=[Role.MANAGER])
    make_team(name="Payments", managers=[lead], members=[engineer, lead])
    make_team(name="Search", managers=[other_lead])
    ld = make_user(email="ld@corp.test", roles=[Role.LD])
    return {"lead": lead, "engineer": engineer, "other": other_lead, "ld": ld}


def auth(user):
    _, secret = issue_token(user, "t")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def count():
    return db.session.scalar(db.select(db.func.count()).select_from(Evidence))


def completion(**overrides):
    return {
        "engineer": "a@corp.test",
        "module": "pipelines-101",
        "completed_on": (TODAY - timedelta(days=1)).isoformat(),
        "hours": 4.5,
        "evidence_url": "https://git.example.com/a/pipelines",
        **overrides,
    }


def test_an_engineer_records_a_completion_that_needs_verification(client, team):
    response = client.post("/api/v1/completions", json=completion(), headers=auth(team["engineer"]))
    assert response.status_code == 201
    body = response.get_json()
    assert body == {
        "id": body["id"],
        "engineer": "a@corp.test",
        "module": "pipelines-101",
        "kind": "completion",
        "date": (TODAY - timedelta(days=1)).isoformat(),
        "status": "pending",
        "recorded_by": "a@corp.test",
    }


def test_an_attempt_is_scored_against_the_pass_mark(client, team):
    headers = auth(team["engineer"])

    def post(score, module="mlcc-classification", link=""):
        return client.post(
            "/api/v1/assessment-attempts",
            headers=headers,
            json={
                "engineer": "a@corp.test",
                "module": module,
                "taken_on": TODAY.isoformat(),
                "score": score,
            }
            | ({"evidence_url": link} if link else {}),
        ).get_json()

    assert post(69)["passed"] is False and post(69)["status"] == "valid"
    assert post(70) | {"id": 0} == {
        "id": 0,
        "engineer": "a@corp.test",
        "module": "mlcc-classification",
        "kind": "attempt",
        "date": TODAY.isoformat(),
        "score": 70,
        "passed": True,
        "status": "valid",
        "recorded_by": "a@corp.test",
    }
    assert post(90, "capstone")["status"] == "pending"  # a project waits for its reviewer
    assert post(90, "capstone", "https://git.example.com/m")["status"] == "pending"


def test_the_manager_may_record_for_their_engineer(client, team):
    assert (
        client.post(
            "/api/v1/completions", json=completion(), headers=auth(team["lead"])
        ).status_code
        == 201
    )


def test_the_api_keeps_its_contract_for_a_completion_posted_twice(client, team):
    """The page refuses the same completion twice; the API answers as documented (201)."""
    for _ in range(2):
        response = client.post("/api/v1/completions", json=completion(), headers=auth(team["lead"]))
        assert response.status_code == 201
    assert count() == 2


@pytest.mark.parametrize("who,status", [("other", 404), ("ld", 403)])
def test_others_may_not_record_and_nothing_is_recorded(client, team, who, status):
    response = client.post("/api/v1/completions", json=completion(), headers=auth(team[who]))
    assert response.status_code == status
    assert count() == 0


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"completed_on": (TODAY + timedelta(days=1)).isoformat()}, "date"),
        ({"completed_on": "last week"}, "completed_on"),
        ({"evidence_url": "javascript:alert(1)"}, "evidence_url"),
        ({"hours": -1}, "hours"),
        ({"engineer_id": 3}, "engineer_id"),
        ({"status": "verified"}, "status"),
    ],
)
def test_bad_fields_are_422_naming_the_field_and_record_nothing(client, team, overrides, field):
    response = client.post(
        "/api/v1/completions", json=completion(**overrides), headers=auth(team["engineer"])
    )
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert count() == 0


def test_unknown_module_or_engineer_is_404(client, team):
    headers = auth(team["engineer"])
    assert (
        client.post(
            "/api/v1/completions", json=completion(module="nope"), headers=headers
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/v1/completions", json=completion(engineer="x@corp.test"), headers=headers
        ).status_code
        == 404
    )
    assert count() == 0


def test_a_score_out_of_range_or_an_attempt_without_assessment_is_refused(client, team):
    headers = auth(team["engineer"])
    bad = [("mlcc-classification", 101, "score"), ("pipelines-101", 80, "module")]
    for module, score, field in bad:
        response = client.post(
            "/api/v1/assessment-attempts",
            headers=headers,
            json={
                "engineer": "a@corp.test",
                "module": module,
                "taken_on": TODAY.isoformat(),
                "score": score,
            },
        )
        assert response.status_code == 422 and field in response.get_json()["error"]["fields"]
    assert count() == 0


def pending_id(client, team):
    return client.post(
        "/api/v1/completions", json=completion(), headers=auth(team["engineer"])
    ).get_json()["id"]


def test_the_manager_verifies_and_the_engineer_is_told(client, team):
    evidence_id = pending_id(client, team)
    response = client.post(
        f"/api/v1/evidence/{evidence_id}/verification",
        json={"decision": "verified"},
        headers=auth(team["lead"]),
    )
    assert response.status_code == 200 and response.get_json()["status"] == "verified"
    note = db.session.scalar(db.select(Notification))
    assert note.user_id == team["engineer"].id and "verified" in note.message
    assert "evidence.verified" in db.session.scalars(db.select(AuditEvent.action)).all()


def test_a_rejection_needs_a_reason(client, team):
    evidence_id = pending_id(client, team)
    headers = auth(team["lead"])
    url = f"/api/v1/evidence/{evidence_id}/verification"
    refused = client.post(url, json={"decision": "rejected"}, headers=headers)
    assert refused.status_code == 422 and "reason" in refused.get_json()["error"]["fields"]
    done = client.post(
        url, json={"decision": "rejected", "reason": "Not your own model."}, headers=headers
    )
    assert done.get_json()["status"] == "rejected"
    assert client.post(url, json={"decision": "verified"}, headers=headers).status_code == 422


@pytest.mark.parametrize("who,status", [("engineer", 403), ("other", 404), ("ld", 403)])
def test_only_the_engineers_manager_may_decide(client, team, who, status):
    evidence_id = pending_id(client, team)
    response = client.post(
        f"/api/v1/evidence/{evidence_id}/verification",
        json={"decision": "verified"},
        headers=auth(team[who]),
    )
    assert response.status_code == status
    assert db.session.get(Evidence, evidence_id).status.value == "pending"


def test_a_manager_cannot_verify_their_own_evidence(client, team):
    response = client.post(
        "/api/v1/completions",
        json=completion(engineer="lead@corp.test"),
        headers=auth(team["lead"]),
    )
    evidence_id = response.get_json()["id"]
    refused = client.post(
        f"/api/v1/evidence/{evidence_id}/verification",
        json={"decision": "verified"},
        headers=auth(team["lead"]),
    )
    assert refused.status_code == 403
