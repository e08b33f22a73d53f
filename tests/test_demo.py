"""`flask demo seed`: the documented demo organisation, deterministic, never in production."""

from datetime import date, timedelta

from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    Module,
    Role,
    SelfAssessment,
    StaffingTarget,
    Team,
    TeamManager,
    User,
)
from tracker.passwords import verify_password
from tracker.readiness import Band
from tracker.reads.catalogue import load_catalogue
from tracker.reads.progress import compute_progress
from tracker.reads.records import load_people


def _people():
    return db.session.scalars(db.select(User).order_by(User.email)).all()


def test_seed_creates_the_documented_demo_accounts(runner):
    result = runner.invoke(args=["demo", "seed", "--engineers", "5"])
    assert result.exit_code == 0, result.output
    accounts = {u.email: u for u in _people()}
    assert accounts["admin@example.com"].roles == {Role.ADMIN}
    assert accounts["ld@example.com"].roles == {Role.LD}
    assert accounts["manager@example.com"].roles == {Role.MANAGER, Role.ENGINEER}
    assert accounts["engineer@example.com"].roles == {Role.ENGINEER}
    for email in ("admin@example.com", "engineer@example.com"):
        assert verify_password(accounts[email].password_hash, "learn-ml-2026")
    payments = db.session.scalar(db.select(Team).where(Team.name == "Payments"))
    assert accounts["engineer@example.com"].team_id == payments.id
    assert db.session.get(TeamManager, (payments.id, accounts["manager@example.com"].id))
    assert "engineer@example.com" in result.output and "learn-ml-2026" in result.output


def test_seed_adds_the_requested_number_of_engineers(runner):
    runner.invoke(args=["demo", "seed", "--engineers", "12"])
    # 4 demo accounts + 3 other team managers + 12 engineers
    assert len(_people()) == 19


def _snapshot():
    people = [(u.email, u.name) for u in _people()]
    evidence = db.session.execute(
        db.select(
            User.email, Module.key, Evidence.kind, Evidence.date, Evidence.score, Evidence.status
        )
        .join(User, User.id == Evidence.user_id)
        .join(Module, Module.id == Evidence.module_id)
        .order_by(User.email, Evidence.date, Module.key, Evidence.kind)
    ).all()
    return people, evidence


def test_seed_is_deterministic_for_a_seed(runner, app):
    runner.invoke(args=["demo", "seed", "--engineers", "8", "--seed", "7"])
    first = _snapshot()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
    db.session.expire_all()
    runner.invoke(args=["demo", "seed", "--engineers", "8", "--seed", "7"])
    assert _snapshot() == first
    assert len(first[1]) > 20


def test_seed_builds_months_of_history_in_every_state(runner):
    result = runner.invoke(args=["demo", "seed", "--engineers", "40"])
    assert result.exit_code == 0, result.output
    evidence = db.session.scalars(db.select(Evidence)).all()
    assert {e.status for e in evidence} >= {
        EvidenceStatus.VALID,
        EvidenceStatus.PENDING,
        EvidenceStatus.VERIFIED,
        EvidenceStatus.REJECTED,
    }
    assert {e.passed for e in evidence if e.kind is EvidenceKind.ATTEMPT} == {True, False}
    assert date.today() - min(e.date for e in evidence) >= timedelta(days=150)
    catalogue = load_catalogue()
    records = load_people([u.id for u in _people()])
    bands = set()
    for person in _people():
        progress = compute_progress(catalogue, records[person.id], date.today())
        if progress.paths:
            role = next(r for r in progress.roles if r.role == progress.paths[0].role)
            bands.add(role.band)
    assert bands == set(Band)
    claims = db.session.scalars(db.select(SelfAssessment)).all()
    assert claims and db.session.scalars(db.select(StaffingTarget)).all()


def test_seed_leaves_a_database_that_has_people_alone(runner, make_user):
    make_user(email="someone@corp.test")
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0
    assert "not loaded" in result.output
    assert [u.email for u in _people()] == ["someone@corp.test"]


def test_seed_refuses_to_run_in_production(database_url):
    from config import ProductionConfig
    from tracker import create_app

    app = create_app(ProductionConfig, SECRET_KEY="x" * 32, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo", "seed"])
        assert result.exit_code != 0
        assert "production" in result.output
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0
        db.engine.dispose()


def test_seed_is_audited(runner):
    runner.invoke(args=["demo", "seed", "--engineers", "1"])
    actions = db.session.scalars(db.select(AuditEvent.action)).all()
    assert "demo.seed" in actions


def test_an_empty_database_has_no_users(app):
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0
