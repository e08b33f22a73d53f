"""xAPI intake: statements from learning platforms become evidence, through the same rules."""

from __future__ import annotations

import base64
import copy
import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from tests.catalogue_fixtures import SMALL
from tracker import clock, policy
from tracker.catalogue.service import import_text
from tracker.extensions import db
from tracker.models import (
    AssessmentKind,
    AuditEvent,
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    Module,
    Outcome,
    Role,
    XapiStatement,
)
from tracker.operations.tokens import create_integration, issue_token, revoke_integration

VERB = "http://adlnet.gov/expapi/verbs/"
CLASSIFICATION = "https://example.org/course/classification"  # a quiz, pass mark 70
PIPELINES = "https://example.org/pipelines"  # a completion that needs verification
CAPSTONE = "https://example.org/capstone"  # a project, pass mark 60
VERSION = {"X-Experience-API-Version": "1.0.3"}


@pytest.fixture
def world(app, make_user, make_team):
    import_text(SMALL, "catalogue.yaml")
    db.session.commit()
    manager = make_user(email="lead@corp.example.com", roles=[Role.MANAGER])
    ada = make_user(email="ada@corp.example.com", name="Ada Engineer")
    bob = make_user(email="bob@corp.example.com", name="Bob Engineer")
    make_team(name="Payments", managers=[manager], members=[ada, bob])
    ld = make_user(email="ld@corp.example.com", roles=[Role.LD])
    _, platform = create_integration("Course platform", ["xapi"], ld)
    db.session.commit()
    return {"manager": manager, "ada": ada, "bob": bob, "ld": ld, "platform": platform}


def basic(secret: str, user: str = "platform") -> dict[str, str]:
    encoded = base64.b64encode(f"{user}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {encoded}", **VERSION}


def token_of(user) -> str:
    _, secret = issue_token(user, "xapi")
    db.session.commit()
    return secret


def statement(
    verb: str = "completed",
    actor: str = "ada@corp.example.com",
    activity: str = CLASSIFICATION,
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "mbox": f"mailto:{actor}"},
        "verb": {"id": VERB + verb, "display": {"en-US": verb}},
        "object": {
            "objectType": "Activity",
            "id": activity,
            "definition": {"name": {"en-US": "A course"}},
        },
        "timestamp": "2026-11-02T09:30:00+00:00",
    }
    body.update(extra)
    return body


def post(client, body, secret):
    return client.post("/xapi/statements", json=body, headers=basic(secret))


def evidence_rows() -> list[Evidence]:
    return list(db.session.scalars(db.select(Evidence).order_by(Evidence.id)))


def stored_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(XapiStatement))


# --- About, version, authentication -----------------------------------------------------------


def test_about_is_open_and_says_the_version(client):
    answer = client.get("/xapi/about")
    assert answer.status_code == 200
    assert answer.json == {"version": ["1.0.3"]}
    assert answer.headers["X-Experience-API-Version"] == "1.0.3"


@pytest.mark.parametrize("header", [None, "0.95", "2.0.0", "1.1.0", "banana"])
def test_a_request_without_a_1_0_version_header_is_refused(client, world, header):
    headers = basic(world["platform"])
    headers.pop("X-Experience-API-Version")
    if header:
        headers["X-Experience-API-Version"] = header
    answer = client.post("/xapi/statements", json=statement(), headers=headers)
    assert answer.status_code == 400
    assert "X-Experience-API-Version" in answer.json["error"]["message"]
    assert answer.headers["X-Experience-API-Version"] == "1.0.3"
    assert stored_count() == 0


@pytest.mark.parametrize("version", ["1.0.0", "1.0.1", "1.0.3", "1.0"])
def test_every_1_0_x_version_is_accepted(client, world, version):
    headers = basic(world["platform"]) | {"X-Experience-API-Version": version}
    answer = client.post("/xapi/statements", json=statement(), headers=headers)
    assert answer.status_code == 200, answer.json


def test_without_credentials_the_answer_is_a_basic_challenge(client, world):
    answer = client.post("/xapi/statements", json=statement(), headers=VERSION)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Basic")
    bearer = {"Authorization": f"Bearer {world['platform']}", **VERSION}
    assert client.post("/xapi/statements", json=statement(), headers=bearer).status_code == 401
    assert post(client, statement(), "trk_not-a-token").status_code == 401
    assert stored_count() == 0


def test_who_may_send(client, world, make_user):
    assert post(client, statement(), token_of(world["ld"])).status_code == 200
    admin = make_user(email="admin@corp.example.com", roles=[Role.ADMIN])
    assert post(client, statement(), token_of(admin)).status_code == 200
    manager_only = post(client, statement(), token_of(world["manager"]))
    assert manager_only.status_code == 403
    _, directory = create_integration("Directory", ["scim"], world["ld"])
    db.session.commit()
    assert post(client, statement(), directory).status_code == 403
    assert stored_count() == 2


def test_a_revoked_integration_is_refused(client, world):
    from tracker.models import Integration

    platform = db.session.scalar(
        db.select(Integration).where(Integration.name == "Course platform")
    )
    revoke_integration(platform, world["ld"])
    db.session.commit()
    assert post(client, statement(), world["platform"]).status_code == 401


def test_integration_tokens_do_not_open_the_json_api(client, world):
    answer = client.get("/api/v1/me", headers={"Authorization": f"Bearer {world['platform']}"})
    assert answer.status_code == 401


def test_an_engineer_token_sends_about_that_engineer_only(client, world):
    ada = token_of(world["ada"])
    assert post(client, statement(actor="ada@corp.example.com"), ada).status_code == 200
    mixed = [statement(actor="ada@corp.example.com"), statement(actor="bob@corp.example.com")]
    answer = post(client, mixed, ada)
    assert answer.status_code == 403
    assert "that engineer only" in answer.json["error"]["message"]
    assert post(client, statement(actor="stranger@else.example.com"), ada).status_code == 403
    assert stored_count() == 1
    [evidence] = evidence_rows()
    assert evidence.recorded_by_id == world["ada"].id


# --- Verbs become evidence -------------------------------------------------------------------


def test_completed_becomes_a_completion_dated_by_the_timestamp_in_utc(client, world):
    body = statement(
        timestamp="2026-11-03T01:30:00+05:00",  # 2026-11-02 20:30 UTC
        result={"duration": "PT1H45M", "completion": True},
    )
    answer = post(client, body, world["platform"])
    assert answer.status_code == 200
    assert answer.json == [body["id"]]
    [evidence] = evidence_rows()
    assert evidence.kind is EvidenceKind.COMPLETION
    assert evidence.user_id == world["ada"].id
    assert evidence.date == date(2026, 11, 2)
    assert float(evidence.hours) == 1.8
    assert evidence.status is EvidenceStatus.VALID
    assert (evidence.source, evidence.recorded_by_id) == ("xapi", None)
    row = db.session.get(XapiStatement, body["id"])
    assert (row.outcome, row.evidence_id) == (Outcome.RECORDED, evidence.id)


@pytest.mark.parametrize(
    ("verb", "score", "expected", "passed"),
    [
        ("passed", {"scaled": 0.85}, 85, True),
        ("failed", {"raw": 13, "max": 20}, 65, False),
        ("scored", {"raw": 7, "min": 0, "max": 10}, 70, True),
        ("passed", {"raw": 45, "min": 40, "max": 50}, 50, False),  # the pass mark decides
    ],
)
def test_results_become_attempts_judged_by_the_pass_mark(
    client, world, verb, score, expected, passed
):
    body = statement(verb=verb, result={"score": score})
    assert post(client, body, world["platform"]).status_code == 200
    [evidence] = evidence_rows()
    assert evidence.kind is EvidenceKind.ATTEMPT
    assert (evidence.score, evidence.passed) == (expected, passed)
    assert evidence.status is EvidenceStatus.VALID


@pytest.mark.parametrize("kind", [AssessmentKind.PROJECT, AssessmentKind.REVIEW])
def test_a_passed_project_or_review_waits_for_a_managers_verification(
    client, world, login_as, kind
):
    capstone = db.session.scalar(db.select(Module).where(Module.key == "capstone"))
    capstone.assessment_kind = kind
    db.session.commit()
    body = statement(verb="passed", activity=CAPSTONE, result={"score": {"scaled": 0.9}})
    assert post(client, body, world["platform"]).status_code == 200
    [evidence] = evidence_rows()
    assert (evidence.kind, evidence.passed) == (EvidenceKind.ATTEMPT, True)
    assert evidence.status is EvidenceStatus.PENDING
    page = login_as(world["manager"]).get("/team/verify").get_data(as_text=True)
    assert "Capstone" in page


def test_a_completion_that_needs_verification_waits_too(client, world):
    assert post(client, statement(activity=PIPELINES), world["platform"]).status_code == 200
    assert evidence_rows()[0].status is EvidenceStatus.PENDING


def test_other_verbs_are_stored_and_change_nothing(client, world):
    body = statement(verb="experienced")
    assert post(client, body, world["platform"]).status_code == 200
    assert evidence_rows() == []
    assert db.session.get(XapiStatement, body["id"]).outcome is Outcome.IGNORED


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            statement(timestamp=(clock.today() + timedelta(days=3)).isoformat() + "T10:00:00Z"),
            "future",
        ),
        (statement(verb="passed"), "result.score"),
        (statement(verb="passed", result={"score": {"scaled": -0.5}}), "negative"),
        (
            statement(verb="passed", activity=PIPELINES, result={"score": {"scaled": 1}}),
            "no assessment",
        ),
    ],
)
def test_a_statement_that_breaks_a_rule_is_kept_with_the_reason(client, world, body, reason):
    assert post(client, body, world["platform"]).status_code == 200
    assert evidence_rows() == []
    row = db.session.get(XapiStatement, body["id"])
    assert row.outcome is Outcome.NOT_RECORDED
    assert reason in row.reason


@pytest.mark.parametrize("email", ["someone@corp.test", "Someone@Mail.Corp.Local", "s@x.invalid"])
def test_an_address_on_a_special_use_domain_is_an_address_like_any(client, world, make_user, email):
    person = make_user(email=email.lower(), name="Someone")
    body = statement(actor=email)
    answer = post(client, body, world["platform"])
    assert answer.status_code == 200, answer.json
    [evidence] = evidence_rows()
    assert evidence.user_id == person.id
    assert db.session.get(XapiStatement, body["id"]).outcome is Outcome.RECORDED


@pytest.mark.parametrize(
    "mbox", ["mailto:someone@localhost", "mailto:some one@corp.test", "mailto:a@-corp.test"]
)
def test_a_malformed_address_on_a_special_use_domain_is_still_refused(client, world, mbox):
    body = statement()
    body["actor"]["mbox"] = mbox
    answer = post(client, body, world["platform"])
    assert answer.status_code == 400
    assert "actor.mbox" in answer.json["error"]["message"]
    assert stored_count() == 0


def test_an_address_on_a_special_use_domain_can_be_mapped_to_a_person(
    client, world, login_as, make_user
):
    person = make_user(email="someone@corp.test", name="Someone")
    address = "someone@lms.corp.local"
    assert post(client, statement(actor=address), world["platform"]).status_code == 200
    answer = login_as(world["ld"]).post(
        "/catalogue/statements/people", data={"address": address, "email": "someone@corp.test"}
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    [evidence] = evidence_rows()
    assert evidence.user_id == person.id


# --- Malformed statements ---------------------------------------------------------------------


def _without(key: str):
    def change(s: dict[str, Any]) -> None:
        s.pop(key)

    return change


MALFORMED = {
    "no verb": _without("verb"),
    "actor without an identifier": lambda s: s["actor"].pop("mbox"),
    "actor with two identifiers": lambda s: s["actor"].update(
        account={"homePage": "https://lms.example", "name": "ada"}
    ),
    "verb id not an IRI": lambda s: s["verb"].update(id="completed it"),
    "scaled score above 1": lambda s: s.update(result={"score": {"scaled": 1.5}}),
    "scaled score below -1": lambda s: s.update(result={"score": {"scaled": -2}}),
    "bad timestamp": lambda s: s.update(timestamp="last Tuesday"),
    "bad duration": lambda s: s.update(result={"duration": "an hour"}),
    "id not a UUID": lambda s: s.update(id="statement-1"),
    "unknown top-level property": lambda s: s.update(mood="happy"),
    "wrong-typed field": lambda s: s.update(result={"success": "yes"}),
    "not an object": lambda s: s.clear(),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_malformed_statement_is_400_with_the_reason_and_stores_nothing(client, world, name):
    bad = statement()
    MALFORMED[name](bad)
    answer = post(client, bad or "just text", world["platform"])
    assert answer.status_code == 400, name
    assert answer.json["error"]["message"]
    assert stored_count() == 0
    assert evidence_rows() == []


def test_one_bad_statement_in_a_batch_stores_none(client, world):
    bad = statement()
    bad["verb"] = {"id": "nope"}
    answer = post(client, [statement(), statement(), bad], world["platform"])
    assert answer.status_code == 400
    assert "Statement 3 of 3" in answer.json["error"]["message"]
    assert "verb.id" in answer.json["error"]["message"]
    assert stored_count() == 0
    assert evidence_rows() == []


def test_a_body_that_is_not_json_is_refused(client, world):
    headers = basic(world["platform"]) | {"Content-Type": "application/json"}
    answer = client.post("/xapi/statements", data="{not json", headers=headers)
    assert answer.status_code == 400
    assert (
        client.post("/xapi/statements", data="x", headers=basic(world["platform"])).status_code
        == 400
    )


# --- Idempotence, conflicts, PUT and GET -------------------------------------------------------


def test_the_same_statement_again_is_a_no_op(client, world):
    body = statement()
    assert post(client, body, world["platform"]).status_code == 200
    again = post(client, copy.deepcopy(body), world["platform"])
    assert again.status_code == 200
    assert again.json == [body["id"]]
    assert stored_count() == 1
    assert len(evidence_rows()) == 1


def test_the_same_id_with_other_content_is_409_and_changes_nothing(client, world):
    body = statement()
    assert post(client, body, world["platform"]).status_code == 200
    changed = copy.deepcopy(body) | {"timestamp": "2026-11-01T09:30:00+00:00"}
    fresh = statement(actor="bob@corp.example.com")
    answer = post(client, [fresh, changed], world["platform"])
    assert answer.status_code == 409
    assert body["id"] in answer.json["error"]["message"]
    assert stored_count() == 1
    assert db.session.get(XapiStatement, fresh["id"]) is None


def test_one_id_twice_in_a_batch_is_refused(client, world):
    body = statement()
    assert post(client, [body, copy.deepcopy(body)], world["platform"]).status_code == 400
    assert stored_count() == 0


def test_statements_without_an_id_get_one(client, world):
    body = statement()
    body.pop("id")
    answer = post(client, [body], world["platform"])
    assert answer.status_code == 200
    [given] = answer.json
    assert uuid.UUID(given)
    assert db.session.get(XapiStatement, given).outcome is Outcome.RECORDED


def test_put_stores_under_the_given_id_and_get_returns_it(client, world):
    body = statement()
    statement_id = body.pop("id")
    url = f"/xapi/statements?statementId={statement_id}"
    answer = client.put(url, json=body, headers=basic(world["platform"]))
    assert answer.status_code == 204
    assert answer.headers["X-Experience-API-Version"] == "1.0.3"
    got = client.get(url, headers=basic(world["platform"]))
    assert got.status_code == 200
    assert got.json["id"] == statement_id
    assert got.json["verb"] == body["verb"]
    assert "stored" in got.json
    again = client.put(url, json=body, headers=basic(world["platform"]))
    assert again.status_code == 204
    conflicting = client.put(
        url, json=body | {"timestamp": "2026-10-01T00:00:00Z"}, headers=basic(world["platform"])
    )
    assert conflicting.status_code == 409
    assert stored_count() == 1


def test_put_refuses_a_body_id_that_differs_and_a_bad_statement_id(client, world):
    body = statement()
    other = str(uuid.uuid4())
    answer = client.put(
        f"/xapi/statements?statementId={other}", json=body, headers=basic(world["platform"])
    )
    assert answer.status_code == 400
    answer = client.put(
        "/xapi/statements?statementId=abc", json=body, headers=basic(world["platform"])
    )
    assert answer.status_code == 400
    assert stored_count() == 0


def test_get_unknown_is_404_and_an_engineer_reads_only_their_own(client, world):
    unknown = f"/xapi/statements?statementId={uuid.uuid4()}"
    assert client.get(unknown, headers=basic(world["platform"])).status_code == 404
    body = statement(actor="bob@corp.example.com")
    assert post(client, body, world["platform"]).status_code == 200
    url = f"/xapi/statements?statementId={body['id']}"
    assert client.get(url, headers=basic(token_of(world["ada"]))).status_code == 404
    assert client.get(url, headers=basic(token_of(world["bob"]))).status_code == 200


def test_every_batch_is_in_the_audit_trail(client, world):
    post(
        client, [statement(), statement(activity="https://elsewhere.example/x")], world["platform"]
    )
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "xapi.received"))
    assert "2 statements from integration Course platform" in event.target
    assert "recorded=1" in event.detail and "waiting=1" in event.detail


def audit_events(action: str) -> list[AuditEvent]:
    query = db.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


# Each refusal: set the scene, then return the request that is refused.


def _malformed(client, world, monkeypatch):
    bad = statement()
    bad["verb"] = {"id": "nope"}
    return lambda: post(client, [statement(), bad], world["platform"])


def _conflicting(client, world, monkeypatch):
    body = statement(actor="bob@corp.example.com")
    assert post(client, body, world["platform"]).status_code == 200
    changed = body | {"timestamp": "2026-11-01T09:30:00+00:00"}
    return lambda: post(client, [statement(), changed], world["platform"])


def _about_someone_else(client, world, monkeypatch):
    ada = token_of(world["ada"])
    mixed = [statement(actor="ada@corp.example.com"), statement(actor="bob@corp.example.com")]
    return lambda: post(client, mixed, ada)


def _not_allowed_to_send(client, world, monkeypatch):
    manager = token_of(world["manager"])
    return lambda: post(client, [statement(), statement()], manager)


def _too_many(client, world, monkeypatch):
    return lambda: post(client, [statement()] * 5001, world["platform"])


def _too_large(client, world, monkeypatch):
    monkeypatch.setattr("tracker.xapi.auth.MAX_BYTES", 2000)
    padded = statement(context={"extensions": {"https://x.example.com/pad": "x" * 3000}})
    return lambda: post(client, [statement(), padded], world["platform"])


def _without_the_version_header(client, world, monkeypatch):
    headers = basic(world["platform"])
    headers.pop("X-Experience-API-Version")
    return lambda: client.post("/xapi/statements", json=[statement()], headers=headers)


def _put_with_another_id(client, world, monkeypatch):
    url = f"/xapi/statements?statementId={uuid.uuid4()}"
    return lambda: client.put(url, json=statement(), headers=basic(world["platform"]))


REFUSED = {
    "malformed": (_malformed, 400),
    "conflict": (_conflicting, 409),
    "about someone else": (_about_someone_else, 403),
    "a token that may not send": (_not_allowed_to_send, 403),
    "too many statements": (_too_many, 413),
    "a body too large": (_too_large, 413),
    "no version header": (_without_the_version_header, 400),
    "a PUT naming another id": (_put_with_another_id, 400),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_every_refused_batch_is_in_the_audit_trail_and_stores_nothing(
    client, world, monkeypatch, case
):
    scene, status = REFUSED[case]
    send = scene(client, world, monkeypatch)
    before = stored_count(), len(evidence_rows())
    answer = send()
    assert answer.status_code == status, answer.json
    assert (stored_count(), len(evidence_rows())) == before  # the batch left nothing behind
    [refused] = audit_events("xapi.refused")  # committed on its own, after the rollback
    assert refused.detail.startswith(f"status={status}; ")
    assert answer.json["error"]["message"][:100] in refused.detail
    assert "/xapi/statements from " in refused.target
    denied = audit_events("access.denied")
    if status == 403:
        [denial] = denied  # the record every surface keeps of a refused permission
        assert denial.target == "POST /xapi/statements"
        assert denial.actor_id == refused.actor_id is not None
    else:
        assert denied == []


def test_a_refusal_names_the_integration_or_the_person_who_sent_it(client, world, monkeypatch):
    _malformed(client, world, monkeypatch)()
    [refused] = audit_events("xapi.refused")
    assert refused.target == "POST /xapi/statements from integration Course platform"
    assert refused.actor_id is None
    _not_allowed_to_send(client, world, monkeypatch)()
    [_, by_person] = audit_events("xapi.refused")
    assert by_person.target == "POST /xapi/statements from lead@corp.example.com"
    assert by_person.actor_id == world["manager"].id


def test_a_request_naming_nobody_writes_no_audit_row(client, world):
    assert post(client, statement(), "trk_not-a-token").status_code == 401
    assert client.post("/xapi/statements", json=statement()).status_code == 401
    assert audit_events("xapi.refused") == audit_events("access.denied") == []


def test_a_session_cookie_does_not_speak_for_an_integration(client, world, login_as):
    login_as(world["ld"])  # the same client now carries L&D's session cookie
    assert post(client, [statement()], world["platform"]).status_code == 200
    [received] = audit_events("xapi.received")
    assert received.actor_id is None  # the integration sent it, not the cookie's owner


# --- Statements that match nothing, and L&D's mappings -----------------------------------------


def test_unknown_activities_and_people_wait_and_the_page_says_how_many(client, world, login_as):
    unknown_course = statement(activity="https://lms.example.com/course/42")
    stranger = statement(actor="ada.personal@mail.example.com")
    assert post(client, [unknown_course, stranger], world["platform"]).status_code == 200
    assert evidence_rows() == []
    rows = [db.session.get(XapiStatement, s["id"]) for s in (unknown_course, stranger)]
    assert [r.outcome for r in rows] == [Outcome.UNMATCHED, Outcome.UNMATCHED]
    assert rows[0].reason == "unknown activity" and rows[1].reason == "unknown person"
    ld = login_as(world["ld"])
    page = ld.get("/catalogue/statements").get_data(as_text=True)
    assert 'data-outcome="unmatched"><div class="stat">2</div>' in page
    assert 'data-activity="https://lms.example.com/course/42"' in page
    assert 'data-address="ada.personal@mail.example.com"' in page
    assert "2 statements wait for a mapping" in ld.get("/catalogue/").get_data(as_text=True)


def test_mapping_an_activity_applies_the_waiting_statements_and_later_ones_map_themselves(
    client, world, login_as
):
    course = "https://lms.example.com/course/42"
    waiting = [statement(activity=course), statement(activity=course, actor="bob@corp.example.com")]
    assert post(client, waiting, world["platform"]).status_code == 200
    answer = login_as(world["ld"]).post(
        "/catalogue/statements/activities",
        data={"activity": course, "module": "mlcc-classification"},
    )
    assert answer.status_code == 302
    assert {e.user_id for e in evidence_rows()} == {world["ada"].id, world["bob"].id}
    assert all(db.session.get(XapiStatement, s["id"]).outcome is Outcome.RECORDED for s in waiting)
    later = statement(activity=course, verb="passed", result={"score": {"scaled": 0.9}})
    assert post(client, later, world["platform"]).status_code == 200
    assert db.session.get(XapiStatement, later["id"]).outcome is Outcome.RECORDED
    assert len(evidence_rows()) == 3
    mapped = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "xapi.activity_mapped")
    )
    assert "applied 2" in mapped.detail


def test_mapping_an_address_applies_that_persons_statements(client, world, login_as):
    address = "ada.personal@mail.example.com"
    assert post(client, statement(actor=address), world["platform"]).status_code == 200
    answer = login_as(world["ld"]).post(
        "/catalogue/statements/people", data={"address": address, "email": "ADA@corp.example.com"}
    )
    assert answer.status_code == 302
    [evidence] = evidence_rows()
    assert evidence.user_id == world["ada"].id
    assert post(client, statement(actor=address), world["platform"]).status_code == 200
    assert len(evidence_rows()) == 2


def test_a_statement_waiting_for_both_needs_both_mappings(client, world, login_as):
    body = statement(actor="ada.personal@mail.example.com", activity="https://lms.example.com/c/1")
    assert post(client, body, world["platform"]).status_code == 200
    ld = login_as(world["ld"])
    ld.post(
        "/catalogue/statements/activities",
        data={"activity": "https://lms.example.com/c/1", "module": "mlcc-classification"},
    )
    row = db.session.get(XapiStatement, body["id"])
    assert (row.outcome, row.reason) == (Outcome.UNMATCHED, "unknown person")
    ld.post(
        "/catalogue/statements/people",
        data={"address": "ada.personal@mail.example.com", "email": "ada@corp.example.com"},
    )
    db.session.expire_all()
    assert db.session.get(XapiStatement, body["id"]).outcome is Outcome.RECORDED


@pytest.mark.parametrize(
    ("url", "data", "message"),
    [
        (
            "/catalogue/statements/activities",
            {"activity": "https://x.example.com/1", "module": ""},
            "Choose a module.",
        ),
        (
            "/catalogue/statements/activities",
            {"activity": "https://x.example.com/1", "module": "no-such-module"},
            "Not a valid choice",
        ),
        (
            "/catalogue/statements/people",
            {"address": "a@b.example.com", "email": "nobody@corp.example.com"},
            "No active engineer signs in as nobody@corp.example.com.",
        ),
        (
            "/catalogue/statements/people",
            {"address": "a@b.example.com", "email": "not an email"},
            "Enter an email address like name@company.com.",
        ),
    ],
)
def test_a_bad_mapping_is_refused_with_the_reason_and_changes_nothing(
    client, world, login_as, url, data, message
):
    key = "activity" if "activities" in url else "address"
    body = statement(activity=data[key]) if key == "activity" else statement(actor=data[key])
    assert post(client, body, world["platform"]).status_code == 200
    answer = login_as(world["ld"]).post(url, data=data)
    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
    assert db.session.get(XapiStatement, body["id"]).outcome is Outcome.UNMATCHED
    assert evidence_rows() == []


def test_only_ld_and_admins_map_statements(client, world, login_as):
    for person in (world["ada"], world["manager"]):
        session = login_as(person)
        assert session.get("/catalogue/statements").status_code == 403
        answer = session.post(
            "/catalogue/statements/people",
            data={"address": "a@b.example.com", "email": "ada@corp.example.com"},
        )
        assert answer.status_code == 403


def test_the_mapping_pages_ask_the_policy_who_may_map(app, client, world, login_as, make_user):
    for endpoint in (
        "authoring.statements",
        "authoring.map_statement_activity",
        "authoring.map_statement_person",
    ):
        assert app.view_functions[endpoint].permission is policy.may_map_statements, endpoint
    admin = make_user(email="admin@corp.example.com", roles=[Role.ADMIN])
    for person in (world["ld"], admin, world["ada"], world["manager"]):
        expected = 200 if policy.may_map_statements(person) else 403
        assert login_as(person).get("/catalogue/statements").status_code == expected


def test_evidence_from_a_platform_says_so_to_the_engineer_and_the_manager(client, world, login_as):
    body = statement(verb="passed", activity=CAPSTONE, result={"score": {"scaled": 0.9}})
    assert post(client, body, world["platform"]).status_code == 200
    mine = login_as(world["ada"]).get("/progress/evidence").get_data(as_text=True)
    assert "recorded by a learning platform (xAPI)" in mine
    queue = login_as(world["manager"]).get("/team/verify").get_data(as_text=True)
    assert "a learning platform (xAPI)" in queue


def test_an_activity_several_modules_share_matches_none_until_mapped(client, world, login_as):
    capstone = db.session.scalar(db.select(Module).where(Module.key == "capstone"))
    capstone.url = CLASSIFICATION  # two modules now share one link: which one is meant?
    db.session.commit()
    body = statement(activity=CLASSIFICATION)
    assert post(client, body, world["platform"]).status_code == 200
    row = db.session.get(XapiStatement, body["id"])
    assert (row.outcome, row.reason) == (Outcome.UNMATCHED, "activity shared by several modules")
    login_as(world["ld"]).post(
        "/catalogue/statements/activities",
        data={"activity": CLASSIFICATION, "module": "mlcc-classification"},
    )
    [evidence] = evidence_rows()
    assert evidence.module_id != capstone.id


def test_an_explicit_xapi_activity_id_outranks_a_shared_link(client, world):
    capstone = db.session.scalar(db.select(Module).where(Module.key == "capstone"))
    capstone.url = CLASSIFICATION
    capstone.xapi_activity = "https://lms.example.com/activities/capstone"
    db.session.commit()
    body = statement(activity="https://lms.example.com/activities/capstone")
    assert post(client, body, world["platform"]).status_code == 200
    [evidence] = evidence_rows()
    assert evidence.module_id == capstone.id


def test_a_body_over_eight_megabytes_is_refused_unread(client, world):
    huge = [statement(context={"extensions": {"https://x.example.com/pad": "x" * 9_000_000}})]
    answer = post(client, huge, world["platform"])
    assert answer.status_code == 413
    assert answer.json["error"]["code"] == "too_large"
    assert stored_count() == 0


def test_more_than_five_thousand_statements_in_one_request_is_refused(client, world):
    answer = post(client, [{}] * 5001, world["platform"])
    assert answer.status_code == 413
    assert "at most 5000" in answer.json["error"]["message"]


def test_the_catalogue_page_tells_l_and_d_where_platforms_send_statements(client, login_as, world):
    page = login_as(world["ld"]).get("/catalogue/").get_data(as_text=True)
    assert "<code>http://localhost/xapi/statements</code>" in page
    assert client.post("/xapi/statements").status_code == 401  # that address is the intake
