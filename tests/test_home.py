"""The app starts, answers its health check and sends security headers."""

from tracker import clock
from tracker.models import Role


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_home_redirects_anonymous_people_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_home_shows_the_sections_of_each_role(make_user, login_as):
    user = make_user(name="Morgan", roles=[Role.MANAGER, Role.ENGINEER])
    page = login_as(user).get("/").get_data(as_text=True)
    assert "Teams you manage" in page
    assert "Your learning" in page
    assert "Administration" not in page


def test_manager_home_lists_managed_teams_with_pending_evidence(make_user, make_team, login_as):
    manager = make_user(name="Morgan", roles=[Role.MANAGER])
    make_team(name="Payments", managers=[manager], members=[make_user(), make_user()])
    make_team(name="Search", members=[make_user()])
    page = login_as(manager).get("/").get_data(as_text=True)
    assert "Payments" in page
    assert "Search" not in page


def test_engineer_home_says_what_to_do_when_there_is_nothing_yet(make_user, login_as):
    page = login_as(make_user()).get("/").get_data(as_text=True)
    assert "You are not on a learning path yet." in page


def test_ld_and_admin_homes_show_their_sections(make_user, login_as):
    page = login_as(make_user(roles=[Role.LD])).get("/").get_data(as_text=True)
    assert "The catalogue is empty." in page
    page = login_as(make_user(roles=[Role.ADMIN])).get("/").get_data(as_text=True)
    assert "Administration" in page and "Your learning" not in page


def test_home_costs_the_same_statements_for_small_and_large_teams(
    make_user, make_team, login_as, count_statements
):
    manager = make_user(roles=[Role.MANAGER, Role.ENGINEER, Role.LD, Role.ADMIN])
    make_team(name="Small", managers=[manager], members=[make_user() for _ in range(2)])
    client = login_as(manager)
    with count_statements() as small:
        assert client.get("/").status_code == 200
    make_team(name="Large", managers=[manager], members=[make_user() for _ in range(30)])
    with count_statements() as large:
        assert client.get("/").status_code == 200
    assert small.count == large.count


def test_engineer_home_shows_readiness_from_demonstrated_evidence_only(make_user, login_as):
    from datetime import timedelta

    from tests.catalogue_fixtures import SMALL
    from tracker.catalogue.service import import_text
    from tracker.extensions import db
    from tracker.models import Evidence, EvidenceKind, EvidenceStatus, Module

    import_text(SMALL, "small.yaml")
    engineer = make_user()
    quiz, capstone = (
        db.session.scalar(db.select(Module.id).where(Module.key == k))
        for k in ("mlcc-classification", "capstone")
    )
    day = clock.today() - timedelta(days=3)
    db.session.add_all(
        [
            Evidence(
                user_id=engineer.id,
                module_id=quiz,
                kind=EvidenceKind.ATTEMPT,
                date=day,
                score=90,
                passed=True,
                status=EvidenceStatus.VALID,
            ),
            Evidence(
                user_id=engineer.id,
                module_id=capstone,
                kind=EvidenceKind.ATTEMPT,
                date=day,
                score=90,
                passed=True,
                status=EvidenceStatus.PENDING,
            ),
        ]
    )
    db.session.commit()
    page = login_as(engineer).get("/").get_data(as_text=True)
    assert "ML Engineer" in page and "44.4%" in page  # the pending capstone does not count
    assert "in progress" in page
    assert "1 piece of evidence waiting for verification" in page


def test_engineer_home_costs_the_same_statements_for_5_or_500_pieces_of_evidence(
    make_user, login_as, count_statements
):
    from datetime import timedelta

    from tests.catalogue_fixtures import SMALL
    from tracker.catalogue.service import import_text
    from tracker.extensions import db
    from tracker.models import Evidence, EvidenceKind, EvidenceStatus, Module

    import_text(SMALL, "small.yaml")
    engineer = make_user()
    quiz = db.session.scalar(db.select(Module.id).where(Module.key == "mlcc-classification"))

    def add(n):
        db.session.add_all(
            Evidence(
                user_id=engineer.id,
                module_id=quiz,
                kind=EvidenceKind.ATTEMPT,
                date=clock.today() - timedelta(days=i % 300),
                score=80,
                passed=True,
                status=EvidenceStatus.VALID,
            )
            for i in range(n)
        )
        db.session.commit()

    client = login_as(engineer)
    add(5)
    client.get("/")  # the catalogue is read once, then kept while it does not change
    with count_statements() as few:
        assert client.get("/").status_code == 200
    add(495)
    with count_statements() as many:
        assert client.get("/").status_code == 200
    assert few.count == many.count
