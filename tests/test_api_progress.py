"""GET /api/v1/engineers/{email}/progress: the documented shape, permissions, fixed cost."""

from datetime import timedelta

import pytest

from tests.catalogue_fixtures import SMALL
from tracker.catalogue.service import import_text
from tracker.clock import today
from tracker.extensions import db
from tracker.models import (
    Competency,
    Enrolment,
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    LearningPath,
    Module,
    Role,
    SelfAssessment,
)
from tracker.operations.tokens import issue_token

TODAY = today()


@pytest.fixture
def catalogue(app):
    import_text(SMALL, "small.yaml")
    db.session.commit()


def token(user):
    _, secret = issue_token(user, "t")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def module_id(key):
    return db.session.scalar(db.select(Module.id).where(Module.key == key))


def add_attempt(user, key, score, status, days_ago, passed=True):
    db.session.add(
        Evidence(
            user_id=user.id,
            module_id=module_id(key),
            kind=EvidenceKind.ATTEMPT,
            date=TODAY - timedelta(days=days_ago),
            score=score,
            passed=passed,
            status=status,
        )
    )
    db.session.commit()


def test_progress_has_the_documented_shape(client, make_user, make_team, catalogue):
    lead = make_user(email="lead@corp.test", roles=[Role.MANAGER])
    engineer = make_user(email="a@corp.test", name="A")
    make_team(managers=[lead], members=[engineer])
    add_attempt(engineer, "mlcc-classification", 80, EvidenceStatus.VALID, 30)
    path = db.session.scalar(db.select(LearningPath))
    db.session.add(
        Enrolment(
            user_id=engineer.id,
            path_id=path.id,
            assigned_by_id=lead.id,
            due_on=TODAY + timedelta(days=90),
        )
    )
    competency = db.session.scalar(
        db.select(Competency).where(Competency.key == "model-evaluation")
    )
    db.session.add(SelfAssessment(user_id=engineer.id, competency_id=competency.id, level=3))
    db.session.commit()
    body = client.get("/api/v1/engineers/a@corp.test/progress", headers=token(engineer)).get_json()
    assert body["engineer"] == {"email": "a@corp.test", "name": "A"}
    assert body["as_of"] == TODAY.isoformat()
    assert body["levels"]["model-evaluation"] == {"demonstrated": 2, "claimed": 3}
    (role,) = body["roles"]
    assert role["role"] == "ml-engineer" and role["band"] == "in_progress"
    assert role["readiness"] == 44.4  # 100 x (2 x 2/3) / 3
    gap = next(g for g in role["gaps"] if g["competency"] == "ml-pipelines")
    assert gap == {
        "competency": "ml-pipelines",
        "demonstrated": 0,
        "required": 2,
        "modules": ["pipelines-101", "capstone"],
    }
    assert body["paths"] == [
        {
            "path": "swe-to-mle",
            "next": "pipelines-101",
            "done": 1,
            "total": 3,
            "assigned_by": "lead@corp.test",
            "due_on": (TODAY + timedelta(days=90)).isoformat(),
            "status": "on_track",
        }
    ]
    assert body["evidence"][0]["kind"] == "attempt"


def test_history_as_of_an_earlier_date(client, make_user, catalogue):
    engineer = make_user(email="a@corp.test")
    add_attempt(engineer, "mlcc-classification", 80, EvidenceStatus.VALID, 10)
    earlier = (TODAY - timedelta(days=20)).isoformat()
    body = client.get(
        f"/api/v1/engineers/a@corp.test/progress?as_of={earlier}", headers=token(engineer)
    ).get_json()
    assert body["roles"][0]["readiness"] == 0.0 and body["evidence"] == []


def test_pending_evidence_shows_but_does_not_count(client, make_user, catalogue):
    engineer = make_user(email="a@corp.test")
    add_attempt(engineer, "capstone", 90, EvidenceStatus.PENDING, 5)
    body = client.get("/api/v1/engineers/a@corp.test/progress", headers=token(engineer)).get_json()
    assert body["roles"][0]["readiness"] == 0.0
    assert body["evidence"][0]["status"] == "pending"


@pytest.mark.parametrize(
    "viewer_roles,in_team,expected",
    [
        ([Role.MANAGER], True, 200),  # their manager
        ([Role.MANAGER], False, 404),  # another team's manager
        ([Role.LD], False, 200),
        ([Role.ENGINEER], True, 404),  # a teammate
    ],
)
def test_who_may_see_an_engineers_progress(
    client, make_user, make_team, catalogue, viewer_roles, in_team, expected
):
    engineer = make_user(email="a@corp.test")
    viewer = make_user(roles=viewer_roles)
    if in_team:
        make_team(
            managers=[viewer] if Role.MANAGER in viewer_roles else [],
            members=[engineer] if Role.MANAGER in viewer_roles else [engineer, viewer],
        )
    response = client.get("/api/v1/engineers/a@corp.test/progress", headers=token(viewer))
    assert response.status_code == expected


def test_bad_or_future_as_of_is_422_naming_the_field(client, make_user, catalogue):
    engineer = make_user(email="a@corp.test")
    for value in ("yesterday", (TODAY + timedelta(days=1)).isoformat()):
        response = client.get(
            f"/api/v1/engineers/a@corp.test/progress?as_of={value}", headers=token(engineer)
        )
        assert response.status_code == 422
        assert "as_of" in response.get_json()["error"]["fields"]


def test_progress_costs_the_same_statements_for_5_or_500_pieces_of_evidence(
    client, make_user, catalogue, count_statements
):
    engineer = make_user(email="a@corp.test")
    headers = token(engineer)

    def add(n):
        db.session.add_all(
            Evidence(
                user_id=engineer.id,
                module_id=module_id("mlcc-classification"),
                kind=EvidenceKind.ATTEMPT,
                date=TODAY - timedelta(days=i % 300),
                score=50,
                passed=False,
                status=EvidenceStatus.VALID,
            )
            for i in range(n)
        )
        db.session.commit()

    add(5)
    client.get("/api/v1/me", headers=headers)  # the token's first use is recorded once
    client.get("/api/v1/engineers/a@corp.test/progress", headers=headers)  # catalogue now kept
    with count_statements() as few:
        assert (
            client.get("/api/v1/engineers/a@corp.test/progress", headers=headers).status_code == 200
        )
    add(495)
    with count_statements() as many:
        assert (
            client.get("/api/v1/engineers/a@corp.test/progress", headers=headers).status_code == 200
        )
    assert few.count == many.count, set(many.statements) ^ set(few.statements)
