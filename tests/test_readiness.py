"""The readiness engine: DOMAIN.md's rules as worked examples and as properties."""

from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.forecast import (
    Forecast,
    PathStatus,
    assignment_status,
    forecast,
    hire_gap,
    projected_ready_count,
    projected_ready_counts,
    projected_ready_tally,
)
from tracker.history import readiness_steps
from tracker.readiness import (
    Band,
    EvidenceItem,
    ModuleSpec,
    PathPlan,
    Requirement,
    RoleProfile,
    band,
    demonstrated_dates,
    gaps,
    levels_as_of,
    next_step,
    readiness,
    suggested_roles,
)
from tracker.reads.figures import figures, weekly_bands

D = date(2026, 3, 5)
MODULES = {
    "intro": ModuleSpec("intro", (("model-evaluation", 1),)),
    "quiz": ModuleSpec("quiz", (("model-evaluation", 2),), assessment="quiz"),
    "capstone": ModuleSpec(
        "capstone", (("model-evaluation", 3), ("pipelines", 3)), assessment="project"
    ),
    "homework": ModuleSpec("homework", (("pipelines", 2),), requires_verification=True),
}
ROLE = RoleProfile(
    "ml-engineer", (Requirement("model-evaluation", 3, 2), Requirement("pipelines", 2, 1))
)


def completion(module, on=D, status="valid"):
    return EvidenceItem(module, "completion", on, status)


def attempt(module, on=D, status="valid", passed=True):
    return EvidenceItem(module, "attempt", on, status, passed)


def ready_for(evidence, as_of=D, role=ROLE):
    return readiness(levels_as_of(MODULES, demonstrated_dates(MODULES, evidence), as_of), role)


def test_worked_example_of_the_formula():
    # model-evaluation 2 of 3 (weight 2), pipelines 2 of 2 (weight 1): 100 x (2x2/3 + 1) / 3
    evidence = [attempt("quiz"), completion("homework", status="verified")]
    assert ready_for(evidence) == 77.8
    assert band(77.8) is Band.NEARLY_READY


def test_nothing_demonstrated_is_not_started():
    assert ready_for([]) == 0.0 and band(0.0) is Band.NOT_STARTED


def test_a_verified_project_makes_the_role_ready():
    assert ready_for([attempt("capstone", status="verified")]) == 100.0
    assert band(100.0) is Band.READY


@pytest.mark.parametrize("status", ["pending", "rejected", "withdrawn"])
def test_pending_rejected_or_withdrawn_evidence_never_counts(status):
    assert ready_for([attempt("capstone", status=status)]) == 0.0
    assert ready_for([completion("homework", status=status)]) == 0.0
    assert ready_for([completion("intro", status=status)]) == 0.0


def test_a_passed_project_counts_only_once_verified():
    assert ready_for([attempt("capstone", status="valid")]) == 0.0


def test_a_failed_attempt_does_not_count():
    assert ready_for([attempt("quiz", passed=False)]) == 0.0


def test_a_completion_does_not_stand_in_for_an_assessment():
    assert ready_for([completion("quiz")]) == 0.0


def test_a_completion_needing_verification_counts_only_verified():
    assert ready_for([completion("homework")]) == 0.0
    assert ready_for([completion("homework", status="verified")]) == 33.3


def test_the_first_passed_attempt_dates_the_demonstration():
    first, later = D - timedelta(days=30), D - timedelta(days=2)
    dates = demonstrated_dates(
        MODULES,
        [
            attempt("quiz", later),
            attempt("quiz", first),
            attempt("quiz", D - timedelta(days=40), passed=False),
        ],
    )
    assert dates == {"quiz": first}


def test_a_later_verification_counts_from_the_attempt_date():
    attempt_day = D - timedelta(days=20)
    evidence = [attempt("capstone", on=attempt_day, status="verified")]
    assert ready_for(evidence, as_of=attempt_day) == 100.0
    assert ready_for(evidence, as_of=attempt_day - timedelta(days=1)) == 0.0


def test_evidence_after_the_as_of_date_does_not_count_yet():
    assert ready_for([attempt("quiz", on=D + timedelta(days=1))]) == 0.0


def test_rounding_never_makes_someone_ready_who_misses_a_requirement():
    role = RoleProfile("r", (Requirement("a", 4, 1), Requirement("b", 1, 3000)))
    assert readiness({"a": 3, "b": 1}, role) == 99.9


def test_a_role_without_requirements_is_ready():
    assert readiness({}, RoleProfile("empty")) == 100.0


def test_one_decimal_rounds_halves_up():
    role = RoleProfile("r", (Requirement("a", 4, 1), Requirement("b", 1, 7)))
    assert readiness({"a": 1}, role) == 3.1  # 100 x 0.25 / 8 = 3.125


@pytest.mark.parametrize(
    "value,expected",
    [
        (100, Band.READY),
        (99.9, Band.NEARLY_READY),
        (75, Band.NEARLY_READY),
        (74.9, Band.IN_PROGRESS),
        (0.1, Band.IN_PROGRESS),
        (0, Band.NOT_STARTED),
    ],
)
def test_band_thresholds(value, expected):
    assert band(value) is expected


def test_gaps_name_what_closes_them_own_paths_first():
    levels = {"model-evaluation": 1}
    found = gaps(levels, ROLE, MODULES, own_modules=["homework", "capstone"])
    assert [(g.competency, g.demonstrated, g.required) for g in found] == [
        ("model-evaluation", 1, 3),
        ("pipelines", 0, 2),
    ]
    assert found[1].modules == ("homework", "capstone")
    assert gaps(levels, ROLE, MODULES)[1].modules == ("capstone", "homework")


def test_next_step_follows_order_and_prerequisites():
    path = PathPlan(
        "p", "ml-engineer", ("intro", "quiz", "capstone"), {"capstone": frozenset({"quiz"})}
    )
    assert next_step(path, []) == "intro"
    assert next_step(path, ["intro"]) == "quiz"
    assert (
        next_step(PathPlan("p", "r", ("capstone", "quiz"), {"capstone": frozenset({"quiz"})}), [])
        == "quiz"
    )
    assert next_step(path, ["intro", "quiz", "capstone"]) is None


def test_forecast_arithmetic():
    assert forecast(60.0, 20.0, D) == Forecast(5.0, D + timedelta(days=56))
    assert forecast(100.0, 80.0, D).projected_ready_on == D
    assert forecast(50.0, 50.0, D).projected_ready_on is None
    assert forecast(40.0, 50.0, D).projected_ready_on is None
    assert forecast(99.0, 98.0, D).projected_ready_on == D + timedelta(days=56)


def test_assignment_status():
    due = D + timedelta(days=30)
    assert assignment_status(True, D, due) is PathStatus.DONE
    assert assignment_status(False, D + timedelta(days=10), due) is PathStatus.ON_TRACK
    assert assignment_status(False, due, due) is PathStatus.ON_TRACK
    assert assignment_status(False, due + timedelta(days=1), due) is PathStatus.BEHIND
    assert assignment_status(False, None, due) is PathStatus.STALLED


def test_suggested_roles_smallest_gap_first():
    other = RoleProfile("data-engineer", (Requirement("pipelines", 2),))
    order = suggested_roles({"pipelines": 2}, [ROLE, other])
    assert [(r.key, v) for r, v in order] == [("data-engineer", 100.0), ("ml-engineer", 33.3)]


def test_team_projection_and_hire_or_train():
    forecasts = [
        Forecast(0, D),
        Forecast(2, D + timedelta(days=20)),
        Forecast(0, None),
        Forecast(1, D + timedelta(days=400)),
    ]
    assert projected_ready_count(forecasts, D + timedelta(days=30)) == 2
    assert hire_gap(4, 2) == 2
    assert hire_gap(2, 3) == 0


# Properties ---------------------------------------------------------------------------


@given(
    projected=st.lists(st.one_of(st.none(), st.dates(date(2026, 1, 1), date(2027, 12, 31)))),
    days=st.lists(st.dates(date(2025, 12, 1), date(2028, 1, 31)), max_size=15),
)
def test_projected_ready_counts_and_tallies_count_each_day_as_rule_7_does(projected, days):
    """Sorted once and bisected, or tallied per date, as `projected_ready_count` counts one
    day: a date on the day counts; no projection never does."""
    forecasts = [Forecast(1.0, d) for d in projected]
    expected = [projected_ready_count(forecasts, day) for day in days]
    assert projected_ready_counts(projected, days) == expected
    tally = Counter(projected)  # engineers per projected date, as a company's teams are counted
    assert [projected_ready_tally(tally, day) for day in days] == expected


days = st.integers(min_value=0, max_value=365).map(lambda n: D - timedelta(days=n))
items = st.builds(
    EvidenceItem,
    module=st.sampled_from(sorted(MODULES)),
    kind=st.sampled_from(["completion", "attempt"]),
    on=days,
    status=st.sampled_from(["valid", "pending", "verified", "rejected", "withdrawn"]),
    passed=st.booleans(),
)
roles = st.builds(
    RoleProfile,
    key=st.just("r"),
    requirements=st.lists(
        st.builds(
            Requirement,
            st.sampled_from(["model-evaluation", "pipelines", "other"]),
            st.integers(1, 4),
            st.integers(1, 5),
        ),
        max_size=4,
        unique_by=lambda r: r.competency,
    ).map(tuple),
)


@given(st.lists(items), roles)
def test_readiness_stays_between_0_and_100(evidence, role):
    assert 0 <= ready_for(evidence, role=role) <= 100


@given(st.lists(items), items, roles)
def test_adding_evidence_never_lowers_readiness(evidence, extra, role):
    assert ready_for([*evidence, extra], role=role) >= ready_for(evidence, role=role)


@given(
    st.lists(items), items.filter(lambda i: i.status in ("pending", "rejected", "withdrawn")), roles
)
def test_pending_rejected_or_withdrawn_evidence_never_changes_readiness(evidence, extra, role):
    assert ready_for([*evidence, extra], role=role) == ready_for(evidence, role=role)


@given(st.lists(items), roles)
def test_ready_exactly_when_every_requirement_is_met(evidence, role):
    levels = levels_as_of(MODULES, demonstrated_dates(MODULES, evidence), D)
    met = all(levels.get(r.competency, 0) >= r.level for r in role.requirements)
    assert (readiness(levels, role) == 100.0) is met


@given(st.lists(items), st.lists(days, min_size=1, max_size=5))
def test_the_series_equals_readiness_at_each_date(evidence, dates):
    demonstrated = demonstrated_dates(MODULES, evidence)
    steps = readiness_steps(MODULES, demonstrated, ROLE)  # readiness from each step's day on
    series = [next(r for on, r in reversed(steps) if on <= day) for day in dates]
    assert series == [ready_for(evidence, as_of=day) for day in dates]


@given(st.lists(st.lists(items), max_size=6), st.lists(days, min_size=1, max_size=60), roles)
def test_bands_per_day_equal_each_engineers_band_computed_on_that_day(people, dates, role):
    dates = sorted(dates)
    engineers = [figures(MODULES, evidence, D) for evidence in people]
    expected = [
        Counter(
            band(readiness(levels_as_of(MODULES, person.dates, day), role)).value
            for person in engineers
        )
        for day in dates
    ]
    assert weekly_bands(MODULES, engineers, role, dates) == expected


def test_bands_per_day_need_the_days_in_order():
    with pytest.raises(ValueError, match="ascending"):
        weekly_bands(MODULES, [], ROLE, [D, D - timedelta(days=1)])
