"""Reads cost what the data costs: the same statements for a small and a larger organisation.

Every page and API call that shows figures for many people is read for an organisation of 5
engineers in 2 teams and again after it grew to 40 engineers in 4 teams, each with evidence in
every status, a path and a claim. A per-engineer (or per-team) query shows as a difference.
The figures for many people come from the earliest evidence of each kind the database keeps
(`first_evidence`): they must give the same demonstrated dates as all the evidence.
"""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from tests import factories
from tests.catalogue_fixtures import SMALL
from tracker.catalogue.service import import_text
from tracker.clock import today
from tracker.extensions import db
from tracker.history import readiness_steps
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
    Team,
    User,
)
from tracker.operations.tokens import issue_token
from tracker.readiness import (
    EvidenceItem,
    ModuleSpec,
    Requirement,
    RoleProfile,
    demonstrated_dates,
    evidence_counts,
    levels_as_of,
    may_count,
    readiness,
)
from tracker.reads.catalogue import load_catalogue
from tracker.reads.records import evidence_items, first_evidence

TODAY = today()
MODULES_ = {
    key: ModuleSpec(key, outcomes)
    for key, outcomes in {
        "a": (("python", 1),),
        "b": (("python", 2), ("stats", 1)),
        "c": (("stats", 3),),
        "d": (("ml", 2), ("python", 3)),
        "e": (("ml", 4),),
    }.items()
}
ROLE_ = RoleProfile(
    "r", (Requirement("python", 3, 2), Requirement("stats", 2), Requirement("ml", 4, 3))
)
KINDS = list(itertools.product(EvidenceKind, EvidenceStatus, (True, False)))


def _organisation(lead: User):
    """Return grow(engineers, teams): add engineers with varied evidence to new teams."""
    import_text(SMALL, "small.yaml")
    db.session.commit()
    modules = list(db.session.scalars(db.select(Module.id)))
    path = db.session.scalar(db.select(LearningPath.id))
    competency = db.session.scalar(db.select(Competency.id))
    counter = itertools.count()

    def grow(engineers: int, teams: int) -> None:
        people = [factories.make_user(password=None) for _ in range(engineers)]
        size = -(-engineers // teams)
        for t in range(teams):
            factories.make_team(managers=[lead], members=people[t * size : (t + 1) * size])
        for person in people:
            n = next(counter)
            for i in range(6):
                kind, status, passed = KINDS[(n + i) % len(KINDS)]
                attempt = kind is EvidenceKind.ATTEMPT
                db.session.add(
                    Evidence(
                        user_id=person.id,
                        module_id=modules[(n + i) % len(modules)],
                        kind=kind,
                        date=TODAY - timedelta(days=(n * 7 + i * 13) % 200),
                        status=status,
                        score=(90 if passed else 40) if attempt else None,
                        passed=passed if attempt else None,
                    )
                )
            db.session.add(Enrolment(user_id=person.id, path_id=path, assigned_by_id=lead.id))
            db.session.add(SelfAssessment(user_id=person.id, competency_id=competency, level=2))
        db.session.commit()

    return grow


def _same_cost(client, count_statements, grow, url: str, headers=None) -> None:
    grow(5, 2)
    client.get(url, headers=headers)  # first use of a token or a session is recorded once
    with count_statements() as small:
        assert client.get(url, headers=headers).status_code == 200
    grow(35, 2)
    with count_statements() as large:
        assert client.get(url, headers=headers).status_code == 200
    assert small.count == large.count, set(large.statements) ^ set(small.statements)


def _lead(make_user):
    return make_user(
        email="lead@corp.test", roles=[Role.MANAGER, Role.LD, Role.ENGINEER, Role.ADMIN]
    )


def _first_team() -> int:
    return db.session.scalar(db.select(db.func.min(Team.id)))


def test_team_api_costs_the_same_for_5_or_40_engineers(
    client, make_user, count_statements, monkeypatch
):
    from tracker.api import teams

    monkeypatch.setattr(teams.cache, "get", lambda key: None)  # computed each time
    lead = _lead(make_user)
    grow = _organisation(lead)
    _, secret = issue_token(lead, "t")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    grow(0, 1)
    url = f"/api/v1/teams/{_first_team()}/readiness?role=ml-engineer"
    _same_cost(client, count_statements, _grow_into_first_team(grow), url, headers)


def _grow_into_first_team(grow):
    """Grow the organisation, then move every engineer into its first team."""

    def grow_first(engineers: int, teams: int) -> None:
        grow(engineers, teams)
        first = _first_team()
        db.session.execute(db.update(User).where(User.team_id.is_not(None)).values(team_id=first))
        db.session.commit()

    return grow_first


def test_team_dashboard_costs_the_same_for_5_or_40_engineers(
    client, make_user, login_as, count_statements, monkeypatch
):
    from tracker.team import dashboard

    monkeypatch.setattr(dashboard.cache, "get", lambda key: None)  # computed each time
    lead = _lead(make_user)
    grow = _grow_into_first_team(_organisation(lead))
    grow(0, 1)
    login_as(lead)
    url = f"/team/{_first_team()}/?role=ml-engineer"
    _same_cost(client, count_statements, grow, url)


def test_company_view_costs_the_same_for_5_or_40_engineers_in_more_teams(
    client, make_user, login_as, count_statements
):
    lead = _lead(make_user)
    grow = _organisation(lead)
    login_as(lead)
    _same_cost(client, count_statements, grow, "/team/company")


def test_progress_api_costs_the_same_in_a_small_or_larger_organisation(
    client, make_user, count_statements
):
    lead = _lead(make_user)
    grow = _organisation(lead)
    _, secret = issue_token(lead, "t")
    db.session.commit()
    url = f"/api/v1/engineers/{lead.email}/progress"
    _same_cost(client, count_statements, grow, url, {"Authorization": f"Bearer {secret}"})


def test_home_page_costs_the_same_in_a_small_or_larger_organisation(
    client, make_user, login_as, count_statements
):
    lead = _lead(make_user)
    grow = _organisation(lead)
    login_as(lead)
    _same_cost(client, count_statements, grow, "/")


def test_first_evidence_gives_the_dates_all_evidence_gives(make_user):
    lead = _lead(make_user)
    _organisation(lead)(40, 4)
    catalogue = load_catalogue()
    people = db.select(User.id).where(User.team_id.is_not(None))
    ids = list(db.session.scalars(people))
    first = first_evidence(people)
    every = evidence_items(ids)
    assert any(first.values())
    for person in ids:
        assert demonstrated_dates(catalogue.modules, first.get(person, [])) == (
            demonstrated_dates(catalogue.modules, every[person])
        )
    assert sum(map(len, first.values())) < sum(map(len, every.values()))


@given(
    st.builds(
        ModuleSpec,
        key=st.just("m"),
        assessment=st.sampled_from([None, "quiz", "project", "review"]),
        requires_verification=st.booleans(),
    ),
    st.builds(
        EvidenceItem,
        module=st.just("m"),
        kind=st.sampled_from(["completion", "attempt"]),
        on=st.dates(),
        status=st.sampled_from([s.value for s in EvidenceStatus]),
        passed=st.none() | st.booleans(),
    ),
)
def test_what_a_read_may_leave_out_never_counts(module, item):
    assert not evidence_counts(module, item) or may_count(item)


def test_the_database_finds_the_median_hours_python_would(make_user):
    import statistics

    from tracker.reads.module_insight import module_insight

    lead = _lead(make_user)
    _organisation(lead)(0, 1)
    modules = dict(db.session.execute(db.select(Module.key, Module.id)).all())
    engineer = make_user(password=None)
    spreads = {"pipelines-101": [7, 1, 3], "mlcc-classification": [5, 2, 2.5, 8, 1.5]}
    for key, hours in spreads.items():
        for value in hours:
            db.session.add(
                Evidence(
                    user_id=engineer.id,
                    module_id=modules[key],
                    kind=EvidenceKind.COMPLETION,
                    date=TODAY,
                    hours=value,
                    status=EvidenceStatus.VALID,
                )
            )
    db.session.commit()
    insight = {m.key: m.median_hours for m in module_insight()}
    assert insight == {key: statistics.median(hours) for key, hours in spreads.items()}


@given(st.lists(st.integers(0, 40).map(lambda tenths: tenths / 10), min_size=1))
def test_a_median_read_off_counts_is_the_median_of_the_values(values):
    import statistics
    from collections import Counter

    from tracker.reads.module_insight import _median

    counted = sorted(Counter(values).items())
    assert _median(counted) == statistics.median(values)


@given(
    st.dictionaries(st.sampled_from(sorted(MODULES_)), st.dates(), max_size=len(MODULES_)),
    st.lists(st.dates(), max_size=30),
)
def test_a_readiness_series_is_readiness_as_of_each_day(dates, days):
    expected = [readiness(levels_as_of(MODULES_, dates, day), ROLE_) for day in days]
    steps = readiness_steps(MODULES_, dates, ROLE_)  # readiness from each step's day on
    assert [next(r for on, r in reversed(steps) if on <= day) for day in days] == expected


def test_a_dashboard_among_many_teams_asks_for_a_name_instead_of_listing_them(
    client, make_user, make_team, login_as
):
    import_text(SMALL, "small.yaml")
    db.session.commit()
    ld = make_user(roles=[Role.LD], password=None)
    teams = [make_team(name=f"Team {i:02}") for i in range(31)]
    login_as(ld)
    page = client.get(f"/team/{teams[0].id}/?role=ml-engineer").get_data(as_text=True)
    assert 'name="name"' in page and 'aria-label="Teams"' not in page
    answer = client.get("/team/?name=team 07&role=ml-engineer")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith(f"/team/{teams[7].id}/?role=ml-engineer")
    unknown = client.get("/team/?name=Nowhere", follow_redirects=True).get_data(as_text=True)
    assert "No team you can see has &#39;Nowhere&#39; in its name." in unknown
    assert "Team 00" in unknown


def test_part_of_a_name_opens_the_one_team_or_lists_the_matches(
    client, make_user, make_team, login_as
):
    import_text(SMALL, "small.yaml")
    db.session.commit()
    ld = make_user(roles=[Role.LD], password=None)
    payments = make_team(name="Payments")
    make_team(name="Search 1")
    make_team(name="Search 2")
    make_team(name="100%_Search")  # LIKE wildcards in a name are matched as text
    login_as(ld)
    one = client.get("/team/?name=paym&role=ml-engineer")
    assert one.status_code == 302
    assert one.headers["Location"].startswith(f"/team/{payments.id}/?role=ml-engineer")
    several = client.get("/team/?name=search&role=ml-engineer")
    assert several.status_code == 200
    page = several.get_data(as_text=True)
    listed = re.findall(r'<li><a href="/team/\d+/\?role=ml-engineer">([^<]+)</a></li>', page)
    assert listed == ["100%_Search", "Search 1", "Search 2"]
    assert "role=ml-engineer" in page
    wildcard = client.get("/team/?name=%_")
    assert wildcard.status_code == 302
    assert client.get("/team/?name=_s").status_code == 302  # only "100%_Search" has "_s"


def test_a_dashboard_among_a_few_teams_lists_them(client, make_user, make_team, login_as):
    import_text(SMALL, "small.yaml")
    db.session.commit()
    ld = make_user(roles=[Role.LD], password=None)
    teams = [make_team(name=f"Team {i}") for i in range(3)]
    login_as(ld)
    page = client.get(f"/team/{teams[0].id}/?role=ml-engineer").get_data(as_text=True)
    assert 'aria-label="Teams"' in page and 'name="name"' not in page
