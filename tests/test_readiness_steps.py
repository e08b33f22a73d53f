"""`readiness_steps`: team and company figures read from it equal those computed from evidence.

The table is kept by every write (tests/test_evidence_firsts.py drives random writes and checks
it after each commit; the `app` fixture checks it after every test). Here: the figures read
through it against the figures computed from evidence, for random organisations and dates; a
change of the catalogue's rules computing everyone again; and the table out of date (a
database just upgraded) never giving a wrong figure.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update
from sqlalchemy.orm import Session

from tests.small_org import add_evidence, pieces_of_evidence, small_org
from tracker.clock import today
from tracker.extensions import db
from tracker.models import (
    CatalogueVersion,
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    Module,
    ReadinessStep,
    RoleRequirement,
    StaffingTarget,
    TargetRole,
    Team,
)
from tracker.operations import steps
from tracker.reads import company
from tracker.reads.catalogue import load_catalogue
from tracker.reads.targeted import company_standings
from tracker.reads.team import team_figures, team_readiness

TODAY = today()


@pytest.fixture
def org(app, make_user, make_team):
    made = small_org(make_user, make_team, [("Payments", slice(0, 4)), ("Search", slice(4, 6))])
    roles = {key: id_ for key, id_ in db.session.execute(db.select(TargetRole.key, TargetRole.id))}
    for months, count in ((3, 1), (9, 3)):  # two targets of one team for one role
        db.session.add(
            StaffingTarget(
                team_id=made["teams"][0].id,
                role_id=roles["ml-engineer"],
                count=count,
                by=TODAY + timedelta(days=30 * months),
            )
        )
    db.session.commit()
    return made


def other_rules(catalogue):  # type: ignore[no-untyped-def]
    """The catalogue as if the table held other rules: reads compute from evidence."""
    return dataclasses.replace(catalogue, steps_rules=None)


def computed(team: Team, role: str, as_of):  # type: ignore[no-untyped-def]
    """The team's readiness computed from evidence (the path taken without the table)."""
    catalogue = load_catalogue()
    return team_readiness(team, role, as_of, catalogue, team_figures(team.id, catalogue, as_of))


def as_counters(forecasts, pairs):  # type: ignore[no-untyped-def]
    return {pair: Counter(forecasts.get(pair, [])) for pair in pairs}


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    pieces=st.lists(pieces_of_evidence(6, 200), max_size=25),
    days=st.lists(st.integers(0, 400), min_size=1, max_size=4),
)
def test_figures_read_from_the_table_equal_figures_computed_from_evidence(org, pieces, days):
    try:
        add_evidence(org["engineers"], org["modules"], pieces, TODAY)
        db.session.commit()
        catalogue = load_catalogue()
        assert catalogue.steps_current  # so the reads below take the table
        for days_ago in days:
            as_of = TODAY - timedelta(days=days_ago)
            for team in org["teams"]:
                for role in catalogue.roles:
                    assert team_readiness(team, role, as_of) == computed(team, role, as_of)
            from_table = company_standings(catalogue, as_of)
            from_evidence = company._standings(catalogue, as_of)
            assert from_table[0] == from_evidence[0]
            targeted = {("Payments", "ml-engineer")}  # forecasts are read where a target asks
            assert set(from_table[1]) == targeted
            assert as_counters(from_table[1], targeted) == as_counters(from_evidence[1], targeted)
            lines = company.company_view(as_of, catalogue).targets
            computed_lines = company.company_view(as_of, other_rules(catalogue)).targets
            assert lines == computed_lines and len(lines) == 2
    finally:
        db.session.rollback()
        db.session.execute(db.delete(Evidence))
        db.session.commit()


def _prove(org, who: int, key: str, days_ago: int = 3) -> None:  # type: ignore[no-untyped-def]
    db.session.add(
        Evidence(
            user_id=org["engineers"][who].id,
            module_id=org["modules"][key],
            kind=EvidenceKind.ATTEMPT,
            date=TODAY - timedelta(days=days_ago),
            status=EvidenceStatus.VALID,
            score=90,
            passed=True,
        )
    )
    db.session.commit()


def test_a_change_of_a_roles_requirements_computes_everyone_again(org):
    _prove(org, 0, "mlcc-classification")
    before = team_readiness(org["teams"][0], "ml-engineer", TODAY).engineers[0].readiness
    requirement = db.session.scalar(
        db.select(RoleRequirement)
        .join(TargetRole, TargetRole.id == RoleRequirement.role_id)
        .where(TargetRole.key == "ml-engineer")
        .limit(1)
    )
    requirement.weight += 5
    db.session.commit()
    catalogue = load_catalogue()
    assert catalogue.steps_current
    missing, extra = steps.differences(catalogue)
    assert not missing and not extra
    after = team_readiness(org["teams"][0], "ml-engineer", TODAY)
    assert after == computed(org["teams"][0], "ml-engineer", TODAY)
    assert after.engineers[0].readiness != before


def test_renaming_a_module_keeps_the_rules_and_the_rows(org):
    _prove(org, 1, "mlcc-classification")
    rules = db.session.scalar(db.select(CatalogueVersion.steps_rules))
    rows = db.session.scalar(db.select(db.func.count()).select_from(ReadinessStep))
    module = db.session.get(Module, org["modules"]["mlcc-classification"])
    module.title = "Classification, again"
    db.session.commit()
    assert db.session.scalar(db.select(CatalogueVersion.steps_rules)) == rules
    assert db.session.scalar(db.select(db.func.count()).select_from(ReadinessStep)) == rows
    assert load_catalogue().steps_current


def test_an_out_of_date_table_is_never_read_and_rebuild_brings_it_back(org, runner):
    _prove(org, 2, "mlcc-classification", days_ago=30)
    team = org["teams"][0]
    expected = computed(team, "ml-engineer", TODAY)
    # as a database just upgraded: rows from other rules, or none, and no digest
    db.session.execute(update(CatalogueVersion).values(steps_rules=None, token="upgraded"))
    db.session.execute(db.delete(ReadinessStep))
    db.session.commit()
    assert not load_catalogue().steps_current
    assert team_readiness(team, "ml-engineer", TODAY) == expected
    catalogue = load_catalogue()
    assert company_standings(catalogue, TODAY)[0] != company._standings(catalogue, TODAY)[0]
    assert company.company_view(TODAY).bands == company.company_view(TODAY, catalogue).bands
    assert company.company_view(TODAY).bands[("Payments", "ml-engineer")]["in_progress"] == 1

    checked = runner.invoke(args=["figures", "check"])
    assert checked.exit_code == 1 and "other catalogue rules" in checked.output
    _prove(org, 3, "mlcc-classification")  # a write while out of date leaves it out of date
    assert not load_catalogue().steps_current
    assert team_readiness(team, "ml-engineer", TODAY) == computed(team, "ml-engineer", TODAY)

    rebuilt = runner.invoke(args=["figures", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert load_catalogue().steps_current
    assert runner.invoke(args=["figures", "check"]).exit_code == 0
    assert team_readiness(team, "ml-engineer", TODAY) == computed(team, "ml-engineer", TODAY)


def test_evidence_written_by_another_session_marks_the_table_out_of_date(org):
    assert load_catalogue().steps_current
    with Session(db.engine) as other:
        other.add(
            Evidence(
                user_id=org["engineers"][0].id,
                module_id=org["modules"]["mlcc-classification"],
                kind=EvidenceKind.ATTEMPT,
                date=TODAY,
                status=EvidenceStatus.VALID,
                score=90,
                passed=True,
            )
        )
        other.commit()
    db.session.expire_all()
    assert not load_catalogue().steps_current
    team = org["teams"][0]
    assert team_readiness(team, "ml-engineer", TODAY) == computed(team, "ml-engineer", TODAY)
