"""Managers assign paths to their engineers or a whole team; L&D to anyone."""

from datetime import timedelta

import pytest

from tests.catalogue_fixtures import SMALL
from tracker import clock
from tracker.catalogue.service import import_text
from tracker.extensions import db
from tracker.models import Enrolment, Notification, Role


@pytest.fixture
def org(app, make_user, make_team):
    import_text(SMALL, "small.yaml")
    lead = make_user(name="Lead", roles=[Role.MANAGER])
    a, b, outsider = make_user(name="Ann"), make_user(name="Ben"), make_user(name="Out")
    team = make_team(name="Payments", managers=[lead], members=[a, b])
    make_team(name="Search", members=[outsider])
    return {"lead": lead, "a": a, "b": b, "outsider": outsider, "team": team}


def enrolled():
    return {(e.user_id, e.due_on) for e in db.session.scalars(db.select(Enrolment))}


def test_assign_a_whole_team_with_a_due_date(client, login_as, org):
    due = clock.today() + timedelta(days=90)
    login_as(org["lead"])
    assert "Out" not in client.get("/team/assign").get_data(as_text=True)
    response = client.post(
        "/team/assign",
        data={"path": "swe-to-mle", "team": org["team"].id, "due_on": due.isoformat()},
    )
    assert response.status_code == 302
    assert enrolled() == {(org["a"].id, due), (org["b"].id, due)}


def test_someone_already_on_the_path_is_skipped_not_an_error(client, login_as, org):
    login_as(org["lead"])
    client.post("/team/assign", data={"path": "swe-to-mle", "engineers": [org["a"].id]})
    page = client.post(
        "/team/assign", data={"path": "swe-to-mle", "team": org["team"].id}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Assigned Software engineer to ML engineer to Ben." in page
    assert "Ann already on it; nothing changed for them." in page
    assert len(enrolled()) == 2


def test_a_manager_cannot_assign_outside_their_teams(client, login_as, org):
    login_as(org["lead"])
    response = client.post(
        "/team/assign", data={"path": "swe-to-mle", "engineers": [org["outsider"].id]}
    )
    assert response.status_code == 422
    assert enrolled() == set()


def test_ld_can_assign_anyone(client, login_as, make_user, org):
    login_as(make_user(roles=[Role.LD]))
    client.post("/team/assign", data={"path": "swe-to-mle", "engineers": [org["outsider"].id]})
    assert enrolled() == {(org["outsider"].id, None)}


def test_a_past_due_date_assigns_nobody(client, login_as, org):
    login_as(org["lead"])
    past = (clock.today() - timedelta(days=1)).isoformat()
    response = client.post(
        "/team/assign", data={"path": "swe-to-mle", "team": org["team"].id, "due_on": past}
    )
    assert response.status_code == 422
    assert enrolled() == set()


def notices(person) -> list[str]:
    return list(
        db.session.scalars(
            db.select(Notification.message)
            .where(Notification.user_id == person.id)
            .order_by(Notification.id)
        )
    )


def test_engineers_are_told_of_an_assignment_and_of_a_new_due_date(client, login_as, org):
    due, later = clock.today() + timedelta(days=30), clock.today() + timedelta(days=60)
    login_as(org["lead"])
    client.post(
        "/team/assign",
        data={"path": "swe-to-mle", "engineers": [org["a"].id], "due_on": due.isoformat()},
    )
    client.post(
        "/team/assign",
        data={"path": "swe-to-mle", "engineers": [org["a"].id], "due_on": later.isoformat()},
    )
    assert notices(org["a"]) == [
        f"Lead assigned you the path Software engineer to ML engineer, due {due.isoformat()}.",
        f"Lead set the due date of your path Software engineer to ML engineer to "
        f"{later.isoformat()}.",
    ]
    assert notices(org["b"]) == []  # not assigned
    home = login_as(org["a"]).get("/").get_data(as_text=True)
    assert "Lead assigned you the path Software engineer to ML engineer" in home


def test_whoever_assigned_a_path_is_told_when_the_engineer_leaves_it(client, login_as, org):
    login_as(org["lead"])
    client.post("/team/assign", data={"path": "swe-to-mle", "engineers": [org["a"].id]})
    login_as(org["a"])
    assert client.post("/progress/paths/swe-to-mle/leave").status_code == 302
    assert notices(org["lead"]) == [
        "Ann left the path Software engineer to ML engineer you assigned."
    ]


def test_enrolling_oneself_tells_nobody(client, login_as, org):
    login_as(org["a"])
    client.post("/progress/paths/swe-to-mle/enrol")
    client.post("/progress/paths/swe-to-mle/leave")
    assert db.session.scalar(db.select(db.func.count()).select_from(Notification)) == 0
