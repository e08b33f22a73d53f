"""`flask demo seed`: the documented demo organisation, deterministic, never in production."""

from datetime import timedelta

from tracker import clock
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
    assert clock.today() - min(e.date for e in evidence) >= timedelta(days=150)
    catalogue = load_catalogue()
    records = load_people([u.id for u in _people()])
    bands = set()
    for person in _people():
        progress = compute_progress(catalogue, records[person.id], clock.today())
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


def test_a_large_organisation_has_many_teams_of_realistic_size_each_with_a_manager(runner):
    result = runner.invoke(args=["demo", "seed", "--engineers", "120", "--seed", "3"])
    assert result.exit_code == 0, result.output
    teams = db.session.scalars(db.select(Team).order_by(Team.id)).all()
    assert [t.name for t in teams][:6] == [
        "Payments",
        "Search",
        "Platform",
        "Data",
        "Payments 2",
        "Search 2",
    ]
    assert len(teams) == 10
    managed = set(db.session.scalars(db.select(TeamManager.team_id)))
    assert managed == {t.id for t in teams}
    sizes = db.session.execute(
        db.select(User.team_id, db.func.count()).group_by(User.team_id)
    ).all()
    assert dict(sizes)[None] == 2  # the admin and L&D belong to no team
    assert all(4 <= size <= 30 for team_id, size in sizes if team_id is not None)
    targets = db.session.scalars(db.select(StaffingTarget.team_id)).all()
    assert sorted(targets) == sorted(t.id for t in teams)


def test_seed_with_evidence_adds_practice_attempts_that_never_pass_early(runner):
    result = runner.invoke(args=["demo", "seed", "--engineers", "40", "--evidence", "30"])
    assert result.exit_code == 0, result.output
    rows = db.session.execute(
        db.select(Evidence.user_id, Evidence.module_id, Evidence.date, Evidence.passed)
    ).all()
    engineers = db.session.scalar(db.select(db.func.count(db.distinct(Evidence.user_id))))
    people = len(_people()) - 2  # everyone but the admin and L&D is an engineer
    assert 0.8 * 30 <= len(rows) / people <= 1.3 * 30
    assert engineers < people  # engineers who have not started have no evidence
    first_pass = {}
    for user_id, module_id, day, passed in rows:
        if passed:
            key = (user_id, module_id)
            first_pass[key] = min(day, first_pass.get(key, day))
    for user_id, module_id, day, passed in rows:
        if passed is False and (user_id, module_id) in first_pass:
            assert day <= first_pass[(user_id, module_id)]
    demo = db.session.scalar(db.select(User).where(User.email == "engineer@example.com"))
    assert (
        db.session.scalar(
            db.select(db.func.count()).select_from(Evidence).where(Evidence.user_id == demo.id)
        )
        < 20
    )  # the named demo accounts keep a readable history


def test_seed_with_evidence_and_many_teams_is_deterministic(runner, app):
    def snapshot():
        teams = db.session.execute(
            db.select(User.email, Team.name).join(Team, Team.id == User.team_id)
        ).all()
        people, evidence = _snapshot()
        # practice attempts can tie on every ordered column: compare them as a multiset
        return sorted(teams), people, sorted(evidence, key=repr)

    args = ["demo", "seed", "--engineers", "60", "--seed", "11", "--evidence", "20"]
    runner.invoke(args=args)
    first = snapshot()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
    db.session.expire_all()
    runner.invoke(args=args)
    assert snapshot() == first
    assert len(first[2]) > 60 * 15


def test_seed_prints_no_progress_bar_when_not_on_a_terminal(runner):
    result = runner.invoke(args=["demo", "seed", "--engineers", "120"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Loaded the demo organisation: 10 teams, 133 people")
    assert "People" not in result.output and "History" not in result.output
    assert "%" not in result.output and "#" not in result.output


def test_demo_logins_work_in_a_large_organisation(runner):
    runner.invoke(args=["demo", "seed", "--engineers", "120"])
    for email in ("admin@example.com", "ld@example.com", "manager@example.com"):
        user = db.session.scalar(db.select(User).where(User.email == email))
        assert verify_password(user.password_hash, "learn-ml-2026")


def test_seeding_sends_statements_per_chunk_not_per_engineer(app, count_statements):
    from tracker.catalogue.service import load_default_catalogue
    from tracker.demo import seed_people
    from tracker.demo_history import generate_history

    load_default_catalogue()
    db.session.commit()
    counts = []
    # the first seed also has PostgreSQL's kinds of index looked up, once per connection
    for engineers in (1, 10, 400):
        with count_statements() as counter:
            seed_people(engineers, seed=5)
            generate_history(5, clock.today(), evidence=20)
        db.session.rollback()
        counts.append(counter.count)
    assert counts[1] == counts[2]


def test_no_two_people_of_a_demo_organisation_share_a_name(runner, app):
    assert runner.invoke(args=["demo", "seed", "--engineers", "2000"]).exit_code == 0
    names = list(db.session.scalars(db.select(User.name)))
    assert len(names) > 2000 and len(set(names)) == len(names)
    emails = list(db.session.scalars(db.select(User.email)))
    initialled = [e for e in emails if e.count(".") == 4]  # first.i.last.n@example.com
    assert initialled and not [e for e in emails if ".." in e or " " in e]
