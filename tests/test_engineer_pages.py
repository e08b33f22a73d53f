"""Engineers log completions and attempts, see their evidence, withdraw what is pending."""

from datetime import timedelta

import pytest

from tests.catalogue_fixtures import SMALL
from tracker.catalogue.service import import_text
from tracker.clock import today
from tracker.extensions import db
from tracker.models import AuditEvent, Evidence, EvidenceStatus, Role

TODAY = today()


@pytest.fixture
def engineer(app, make_user, login_as):
    import_text(SMALL, "small.yaml")
    db.session.commit()
    user = make_user(roles=[Role.ENGINEER])
    login_as(user)
    return user


def log(client, **fields):
    data = {
        "module": "pipelines-101",
        "kind": "completion",
        "on": (TODAY - timedelta(days=1)).isoformat(),
        "hours": "3",
        "evidence_url": "https://git.example.com/me/pipelines",
        "notes": "",
    }
    return client.post("/progress/log", data={**data, **fields})


def evidence():
    return db.session.scalars(db.select(Evidence)).all()


def test_a_completion_needing_verification_is_pending(client, engineer):
    response = log(client)
    assert response.status_code == 302
    (item,) = evidence()
    assert item.status is EvidenceStatus.PENDING and float(item.hours) == 3.0
    page = client.get("/progress/evidence").get_data(as_text=True)
    assert "waits for verification" in page and "Withdraw" in page
    # dates and hours never break across lines
    assert f'<td class="date">{item.date.isoformat()}</td>' in page and "3.0&nbsp;h" in page


def test_an_attempt_below_the_pass_mark_is_recorded_as_not_passed(client, engineer):
    response = log(client, module="mlcc-classification", kind="attempt", score="60")
    assert response.status_code == 302
    (item,) = evidence()
    assert item.passed is False and item.status is EvidenceStatus.VALID
    page = client.get("/progress/evidence").get_data(as_text=True)
    assert 'data-verdict="not_passed"' in page and "attempt: 60%" in page
    assert ">not passed<" in page and ">valid<" not in page


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"on": (TODAY + timedelta(days=1)).isoformat()}, "cannot be in the future"),
        ({"evidence_url": "ftp://x.example/y"}, "must start with http:// or https://"),
        ({"module": "mlcc-classification", "kind": "attempt", "score": "101"}, "between 0 and 100"),
        ({"module": "mlcc-classification", "kind": "attempt", "score": ""}, "Enter the score"),
        ({"module": "pipelines-101", "kind": "attempt", "score": "80"}, "has no assessment"),
        ({"module": ""}, "Choose a module."),
    ],
)
def test_bad_input_names_the_field_and_records_nothing(client, engineer, fields, message):
    response = log(client, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert evidence() == []


def test_withdrawing_pending_evidence_keeps_the_record(client, engineer):
    log(client)
    (item,) = evidence()
    assert client.post(f"/progress/evidence/{item.id}/withdraw").status_code == 302
    db.session.refresh(item)
    assert item.status is EvidenceStatus.WITHDRAWN
    assert "evidence.withdrawn" in db.session.scalars(db.select(AuditEvent.action)).all()


def test_nobody_withdraws_someone_elses_evidence(client, engineer, make_user, login_as):
    log(client)
    (item,) = evidence()
    login_as(make_user(roles=[Role.ENGINEER]))
    assert client.post(f"/progress/evidence/{item.id}/withdraw").status_code == 404
    db.session.refresh(item)
    assert item.status is EvidenceStatus.PENDING


def test_the_log_form_starts_at_today(client, engineer):
    page = client.get("/progress/log").get_data(as_text=True)
    assert f'value="{TODAY.isoformat()}"' in page


def test_the_same_completion_twice_is_refused_by_name_and_recorded_once(client, engineer):
    assert log(client).status_code == 302
    again = log(client)
    assert again.status_code == 422
    day = (TODAY - timedelta(days=1)).isoformat()
    assert f"A completion of this module on {day} is already recorded." in again.get_data(
        as_text=True
    )
    assert len(evidence()) == 1
    assert log(client, on=(TODAY - timedelta(days=2)).isoformat()).status_code == 302  # another day


def test_a_withdrawn_completion_may_be_logged_again(client, engineer):
    assert log(client).status_code == 302
    (item,) = evidence()
    assert client.post(f"/progress/evidence/{item.id}/withdraw").status_code == 302
    assert log(client).status_code == 302
    assert len(evidence()) == 2


def test_a_passed_project_needs_a_link_a_failed_one_does_not(client, engineer):
    refused = log(client, module="capstone", kind="attempt", score="90", evidence_url="")
    assert refused.status_code == 422 and "a link to the work" in refused.get_data(as_text=True)
    assert evidence() == []
    assert (
        log(client, module="capstone", kind="attempt", score="30", evidence_url="").status_code
        == 302
    )
    assert log(client, module="capstone", kind="attempt", score="90").status_code == 302
    assert [e.status for e in evidence()] == [EvidenceStatus.VALID, EvidenceStatus.PENDING]
