"""POST /api/v1/enrolments: enrol yourself, or assign (manager, L&D); 409 when already on it."""

from datetime import timedelta

import pytest

from tests.catalogue_fixtures import SMALL
from tracker import clock
from tracker.catalogue.service import import_text
from tracker.extensions import db
from tracker.models import Enrolment, Role
from tracker.operations.tokens import issue_token


@pytest.fixture
def people(app, make_user, make_team):
    import_text(SMALL, "small.yaml")
    lead = make_user(email="lead@corp.test", roles=[Role.MANAGER])
    engineer = make_user(email="a@corp.test")
    make_team(managers=[lead], members=[engineer])
    return {
        "lead": lead,
        "engineer": engineer,
        "other": make_user(email="o@corp.test", roles=[Role.MANAGER]),
        "ld": make_user(email="ld@corp.test", roles=[Role.LD]),
    }


def post(client, who, **body):
    _, secret = issue_token(who, "t")
    db.session.commit()
    data = {"engineer": "a@corp.test", "path": "swe-to-mle", **body}
    return client.post(
        "/api/v1/enrolments", json=data, headers={"Authorization": f"Bearer {secret}"}
    )


def test_an_engineer_enrols_themselves(client, people):
    response = post(client, people["engineer"])
    assert response.status_code == 201
    assert response.get_json()["assigned_by"] is None


def test_the_manager_assigns_with_a_due_date_and_a_second_time_is_409(client, people):
    due = (clock.today() + timedelta(days=60)).isoformat()
    response = post(client, people["lead"], due_on=due)
    assert response.status_code == 201
    assert response.get_json() | {"id": 0} == {
        "id": 0,
        "engineer": "a@corp.test",
        "path": "swe-to-mle",
        "assigned_by": "lead@corp.test",
        "due_on": due,
    }
    assert post(client, people["ld"]).status_code == 409
    assert len(db.session.scalars(db.select(Enrolment)).all()) == 1


@pytest.mark.parametrize("who,status", [("other", 404), ("ld", 201)])
def test_who_may_assign(client, people, who, status):
    assert post(client, people[who]).status_code == status


def test_a_due_date_in_the_past_or_an_unknown_path_is_refused(client, people):
    past = (clock.today() - timedelta(days=1)).isoformat()
    response = post(client, people["lead"], due_on=past)
    assert response.status_code == 422 and "due_on" in response.get_json()["error"]["fields"]
    assert post(client, people["lead"], path="nope").status_code == 404
    assert db.session.scalars(db.select(Enrolment)).all() == []
