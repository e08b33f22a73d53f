"""Engineers see roles ordered by readiness, enrol on and leave paths, and self-assess."""

import pytest

from tests.catalogue_fixtures import SMALL
from tracker.catalogue.service import import_text
from tracker.extensions import db
from tracker.models import Competency, Enrolment, Role, SelfAssessment


@pytest.fixture
def engineer(app, make_user, login_as):
    import_text(SMALL, "small.yaml")
    db.session.commit()
    user = make_user(roles=[Role.ENGINEER])
    login_as(user)
    return user


def test_enrol_then_leave_keeps_the_enrolment_row(client, engineer):
    assert "Enrol" in client.get("/progress/paths").get_data(as_text=True)
    assert client.post("/progress/paths/swe-to-mle/enrol").status_code == 302
    page = client.get("/progress/paths").get_data(as_text=True)
    assert "0/3 done" in page and "chosen by you" in page
    again = client.post("/progress/paths/swe-to-mle/enrol", follow_redirects=True)
    assert "is already on Software engineer to ML engineer." in again.get_data(as_text=True)
    assert client.post("/progress/paths/swe-to-mle/leave").status_code == 302
    (row,) = db.session.scalars(db.select(Enrolment)).all()
    assert row.left_at is not None
    assert client.post("/progress/paths/swe-to-mle/enrol").status_code == 302
    db.session.refresh(row)
    assert row.left_at is None


def test_self_assessment_is_shown_and_never_counts(client, engineer):
    competency = db.session.scalar(db.select(Competency).where(Competency.key == "ml-pipelines"))
    before = client.get("/").get_data(as_text=True)
    assert (
        client.post("/progress/self-assessment", data={f"level-{competency.id}": "4"}).status_code
        == 302
    )
    (claim,) = db.session.scalars(db.select(SelfAssessment)).all()
    assert (claim.user_id, claim.competency_id, claim.level) == (engineer.id, competency.id, 4)
    assert "0.0%" in before and "0.0%" in client.get("/").get_data(as_text=True)


def test_a_claim_outside_0_to_4_saves_nothing(client, engineer):
    competency = db.session.scalar(db.select(Competency))
    client.post("/progress/self-assessment", data={f"level-{competency.id}": "9"})
    assert db.session.scalars(db.select(SelfAssessment)).all() == []
