"""`standing_counts` and `band_changes`: the teams' counts follow every write that changes them.

The company view counts its bands from `standing_counts` whenever every engineer's current step
has begun by the day shown; a team's trend adds up its `band_changes`. Here: random sequences
of every kind of write (evidence, decisions, moves between teams, deactivation, role links,
catalogue changes) keep both equal to a count of `readiness_steps`, and the bands read through
them (the company's on a day, each team's week by week) equal those computed from evidence; an
earlier day than a step counts the steps instead; the statements sent do not grow with people;
`flask figures check` / `rebuild` cover them; and the migrations fill them.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from flask_migrate import downgrade, upgrade
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from config import TestingConfig
from tests import factories
from tests.catalogue_fixtures import SMALL
from tests.small_org import small_org
from tracker import create_app
from tracker.catalogue.service import import_text
from tracker.clock import today, utcnow
from tracker.extensions import db
from tracker.models import (
    BandChange,
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    Module,
    Role,
    RoleRequirement,
    StandingCount,
    TargetRole,
    Team,
    User,
)
from tracker.operations import band_changes, standing_counts, steps
from tracker.readiness import band
from tracker.reads import company
from tracker.reads.catalogue import load_catalogue
from tracker.reads.charts import trend_days
from tracker.reads.figures import weekly_bands
from tracker.reads.targeted import company_standings
from tracker.reads.team import team_figures
from tracker.reads.team_charts import weekly_role_bands

TODAY = today()


@pytest.fixture
def org(app, make_user, make_team):
    split = [("Payments", slice(0, 3)), ("Search", slice(3, 5)), ("Empty", slice(0, 0))]
    return small_org(make_user, make_team, split)


def _prove(org, who: int, key: str, days_ago: int = 3, passed: bool = True) -> None:  # type: ignore[no-untyped-def]
    db.session.add(
        Evidence(
            user_id=org["engineers"][who].id,
            module_id=org["modules"][key],
            kind=EvidenceKind.ATTEMPT,
            date=TODAY - timedelta(days=days_ago),
            status=EvidenceStatus.VALID,
            score=90 if passed else 10,
            passed=passed,
        )
    )


def assert_counts_true(as_of=TODAY) -> None:  # type: ignore[no-untyped-def]
    """The tables equal a count, and the bands read through them equal those from evidence.

    The company's bands on the day, and each team's week by week for every live role over
    the trend's weeks, and a year before them.
    """
    for table in (standing_counts, band_changes):
        missing, extra = table.differences(db.session.connection())
        assert not missing and not extra, (table.__name__, missing, extra)
    catalogue = load_catalogue()
    assert catalogue.steps_current
    from_table, _ = company_standings(catalogue, as_of)
    from_evidence, _ = company._standings(catalogue, as_of)
    assert from_table == from_evidence
    days = [as_of - timedelta(days=365), *trend_days(as_of)]
    for team in db.session.scalars(db.select(Team.id)):
        people = team_figures(team, catalogue, as_of).people
        for role in catalogue.roles.values():
            weekly = weekly_role_bands(team, role, days)
            counted = weekly_bands(catalogue.modules, people, role, days)
            assert [+Counter(week) for week in weekly] == counted, (team, role.key)


write = st.tuples(
    st.sampled_from(["prove", "withdraw", "move", "active", "engineer", "rules", "archive"]),
    st.integers(0, 5),  # which engineer
    st.integers(0, 30),  # which module, team or piece of evidence (modulo how many)
    st.integers(0, 120),  # days ago
    st.booleans(),  # passed
)


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(writes=st.lists(write, min_size=1, max_size=10))
def test_every_write_keeps_the_counts_and_the_bands_true(org, writes):
    keys = sorted(org["modules"])
    teams = [*org["teams"], None]
    try:
        for action, who, pick, days_ago, passed in writes:
            person = db.session.get(User, org["engineers"][who].id)
            if action == "prove":
                _prove(org, who, keys[pick % len(keys)], days_ago, passed)
            elif action == "withdraw":
                mine = db.session.scalars(
                    db.select(Evidence).where(Evidence.user_id == person.id).order_by(Evidence.id)
                ).all()
                if mine:
                    mine[pick % len(mine)].status = EvidenceStatus.WITHDRAWN
            elif action == "move":
                team = teams[pick % len(teams)]
                person.team_id = team.id if team else None
            elif action == "active":
                person.active = not person.active
            elif action == "engineer":
                person.set_roles(person.roles ^ {Role.ENGINEER})
            elif action == "rules":  # a role's requirements change: everyone computed again
                requirements = db.session.scalars(
                    db.select(RoleRequirement).order_by(
                        RoleRequirement.role_id, RoleRequirement.competency_id
                    )
                ).all()
                requirement = requirements[pick % len(requirements)]
                requirement.weight += 1
            else:  # a role archived or brought back
                roles = db.session.scalars(db.select(TargetRole).order_by(TargetRole.id)).all()
                role = roles[pick % len(roles)]
                role.archived_at = None if role.archived_at else utcnow()
            db.session.commit()
            assert_counts_true()
        assert_counts_true(TODAY + timedelta(days=30))
    finally:
        db.session.rollback()
        db.session.execute(db.delete(Evidence))
        db.session.execute(db.update(TargetRole).values(archived_at=None))
        db.session.commit()


def test_more_people_than_a_batch_count_their_teams_band_changes_again(org, monkeypatch):
    """Steps computed for more people than one batch: their teams are counted again at the
    commit instead of taking each batch's changes out and in (whose locks of the teams, taken
    between batches of people, could deadlock with a move)."""
    monkeypatch.setattr(steps, "_BATCH", 2)
    for who, key in enumerate(["mlcc-classification", "capstone", "mlcc-classification"]):
        _prove(org, who, key, days_ago=10 + who)
    db.session.commit()
    assert_counts_true()
    assert_counts_true(TODAY - timedelta(days=11))


def test_a_day_before_a_step_counts_the_steps_holding_on_it(org):
    _prove(org, 0, "mlcc-classification", days_ago=0)
    _prove(org, 3, "mlcc-classification", days_ago=40)
    db.session.commit()
    latest = db.session.scalar(db.select(db.func.max(StandingCount.latest_on)))
    assert latest == TODAY
    for days_ago in (0, 1, 39, 40, 41):  # the table, then the steps as of days it cannot say
        assert_counts_true(TODAY - timedelta(days=days_ago))
    catalogue = load_catalogue()
    yesterday, _ = company_standings(catalogue, TODAY - timedelta(days=1))
    now, _ = company_standings(catalogue, TODAY)
    assert yesterday != now  # the step of today is not counted the day before


def test_engineers_without_evidence_are_counted_as_not_started(org):
    rows = db.session.execute(
        db.select(StandingCount.team_id, StandingCount.tenths, StandingCount.engineers)
    ).all()
    payments, search = (team.id for team in org["teams"][:2])
    roles = len(load_catalogue().roles)
    assert sorted(rows) == sorted(
        [(payments, standing_counts.NO_STEPS, 3)] * roles
        + [(search, standing_counts.NO_STEPS, 2)] * roles
    )
    assert_counts_true()


def test_a_move_by_another_session_recounts_both_teams(org):
    with Session(db.engine) as other:
        other.get(User, org["engineers"][0].id).team_id = org["teams"][2].id
        other.commit()
    db.session.expire_all()
    assert_counts_true()
    assert db.session.scalar(
        db.select(db.func.sum(StandingCount.engineers)).where(
            StandingCount.team_id == org["teams"][2].id
        )
    ) == len(load_catalogue().roles)


def test_the_company_view_sends_as_many_statements_for_more_engineers(
    org, make_user, count_statements
):
    _prove(org, 0, "mlcc-classification", days_ago=0)
    db.session.commit()
    catalogue = load_catalogue()

    def sent(as_of):  # type: ignore[no-untyped-def]
        with count_statements() as counter:
            company.company_view(as_of, catalogue)
        return counter.count

    small = sent(TODAY), sent(TODAY - timedelta(days=1))
    for i in range(12):
        make_user(email=f"more{i}@corp.test", team=org["teams"][i % 3])
    for who in range(6):
        _prove(org, who, "capstone", days_ago=who)
    db.session.commit()
    assert (sent(TODAY), sent(TODAY - timedelta(days=1))) == small
    assert_counts_true()


def _out_of_step(table, days_ago):  # type: ignore[no-untyped-def]
    """A statement that puts the table out of step with the steps after a proof `days_ago`."""
    if table is StandingCount:
        return db.update(StandingCount).values(engineers=StandingCount.engineers + 1)
    return db.delete(BandChange).where(BandChange.day == TODAY - timedelta(days=days_ago))


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        (StandingCount, "company's counts differ"),
        (BandChange, "changes of band by day differ from the readiness table"),
    ],
    ids=["standing_counts", "band_changes"],
)
def test_check_finds_a_table_out_of_step_and_rebuild_puts_it_right(org, runner, table, problem):
    _prove(org, 1, "mlcc-classification", days_ago=20)
    db.session.commit()
    assert runner.invoke(args=["figures", "check"]).exit_code == 0
    statement = _out_of_step(table, 20)
    db.session.execute(statement, execution_options={"synchronize_session": False})
    db.session.commit()
    checked = runner.invoke(args=["figures", "check"])
    assert checked.exit_code == 1
    assert problem in checked.output
    assert runner.invoke(args=["figures", "rebuild"]).exit_code == 0
    assert runner.invoke(args=["figures", "check"]).exit_code == 0
    assert_counts_true()


def test_the_bands_in_sql_are_rule_4_on_every_readiness(app):
    tenths = range(0, 1001)
    in_sql = db.session.execute(
        db.select(*(band_changes.band_of_tenths(db.literal(t)) for t in tenths))
    ).one()
    assert list(in_sql) == [band(t / 10).value for t in tenths]


def test_the_migrations_fill_the_tables_from_the_steps_already_there(migrated_database):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=migrated_database)
    with app.app_context():
        import_text(SMALL, "small.yaml")
        people = [factories.make_user(email=f"m{i}@corp.test") for i in range(3)]
        team = factories.make_team(name="Payments", members=people)
        factories.make_user(email="away@corp.test", team=team, active=False)
        modules = {k: v for k, v in db.session.execute(db.select(Module.key, Module.id))}
        _prove({"engineers": people, "modules": modules}, 0, "capstone")
        db.session.commit()
        counted = db.session.execute(db.select(StandingCount.__table__)).all()
        assert len(counted) == 2 * len(load_catalogue().roles)  # proven, and not started
        changes = db.session.execute(db.select(BandChange.__table__)).all()
        assert {band for *_, band, _ in changes} == {"none", "not_started"}  # as counted above
        db.session.remove()
        downgrade(revision="8c1d4e7f2a90")
        upgrade()
        assert sorted(db.session.execute(db.select(StandingCount.__table__)).all()) == sorted(
            counted
        )
        assert sorted(db.session.execute(db.select(BandChange.__table__)).all()) == sorted(changes)
        assert standing_counts.differences(db.session.connection()) == (set(), set())
        assert band_changes.differences(db.session.connection()) == (set(), set())
        db.session.remove()
        db.engine.dispose()
