"""One number: every surface shows the same readiness and band for an engineer, role and date.

Hypothesis builds small organisations: a random catalogue imported through the catalogue file;
one or two teams, each with a manager and engineers whose dated evidence comes in every status;
enrolments, self-assessments, staffing targets, sometimes a retired role or module and a
deactivated engineer. Every surface that shows a figure is then read over HTTP — the progress
API, the engineer's home page, the manager's view of the engineer, the team API, the team
dashboard with its targets table and the numbers under its charts, the chart CSVs (the
forecast's too) and the company view with its hire-or-train lines and "All teams" totals — and
must agree with the others. The dashboard and the charts read the table of readiness steps
while it is current; the numbers they show must equal the figures computed from evidence. The
company page shows today; the company view it renders is also read for each past date, all four
bands.
"""

from __future__ import annotations

import csv
import html
import io
import itertools
import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from tracker import clock
from tracker.catalogue.service import import_text
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
    StaffingTarget,
    TargetRole,
    User,
    utcnow,
)
from tracker.operations.tokens import issue_token
from tracker.reads.company import company_view

BANDS = ("ready", "nearly_ready", "in_progress", "not_started")
STATUSES = tuple(s.value for s in EvidenceStatus)
ROLE_NAMES = ("ML Engineer", "Data Engineer", "ML Platform Engineer", "ML Product Engineer")
TEAM_NAMES = ("Payments", "R&D", "Search")
SURNAMES = ("Okafor", "Lindqvist", "Tanaka", "Abebe", "Moreau", "Singh", "Kowalski", "Reyes")

ROLE_ROW = re.compile(r'<tr data-role="([^"]*)" data-readiness="([^"]*)" data-band="([^"]*)">')
ENGINEER_ROW = re.compile(
    r'<tr data-engineer="([^"]*)" data-readiness="([^"]*)" data-band="([^"]*)">'
)
BAND_CARD = re.compile(r'<div class="stat">(\d+)</div><span class="badge band-([a-z_]+)">')
COMPANY_CELL = re.compile(
    r'<td data-team="([^"]*)" data-role="([^"]*)" data-ready="(\d+)" data-nearly="(\d+)">'
)
DATE = r"(\d{4}-\d\d-\d\d)"
ANSWER = (
    r'(?:<span class="badge bad">hire or move (\d+)</span>'
    r'|<span class="badge ok">train: on track</span>)'
)
TARGET_ROW = re.compile(rf"<tr><td>(\d+)</td><td>{DATE}</td><td>(\d+)</td>\s*<td>{ANSWER}</td>")
COMPANY_TARGET = re.compile(
    rf"<tr><td>([^<]*)</td><td>([^<]*)</td><td>(\d+)</td><td>{DATE}</td><td>(\d+)</td>"
    rf"\s*<td>{ANSWER}</td></tr>"
)
COMPANY_TOTAL = re.compile(
    r'<tr data-total="([^"]*)"><th scope="row">All teams</th><td>[^<]*</td><td>(\d+)</td>'
    r"<td></td><td>(\d+)</td><td>(?:hire or move (\d+)|train: on track)</td></tr>"
)


# --- What Hypothesis draws: plain data, no database ------------------------------------------


@dataclass(frozen=True)
class Proof:
    """A piece of evidence to record: a completion or an attempt, dated, in some status."""

    module: str
    kind: str
    days_ago: int
    status: str
    score: int | None


@dataclass(frozen=True)
class Joining:
    """An enrolment on a path: when, whether a manager assigned it, and by when."""

    path: str
    days_ago: int
    assigned: bool
    due_in: int | None


@dataclass(frozen=True)
class Claim:
    """A self-assessment as it was made: a level claimed for a competency, some days ago."""

    competency: str
    level: int
    days_ago: int


@dataclass(frozen=True)
class EngineerPlan:
    """One engineer's records."""

    evidence: tuple[Proof, ...]
    claims: tuple[Claim, ...]
    joinings: tuple[Joining, ...]


@dataclass(frozen=True)
class TeamPlan:
    """A team's engineers; the manager's records when an engineer of it; a deactivated engineer.

    The deactivated engineer's evidence must count on no surface.
    """

    name: str
    engineers: tuple[EngineerPlan, ...]
    manager_as_engineer: EngineerPlan | None
    deactivated: EngineerPlan | None


@dataclass(frozen=True)
class Organisation:
    """A catalogue file, teams, staffing targets and the past dates to look at."""

    catalogue: dict[str, Any]
    retired_role: str | None
    retired_module: str | None
    teams: tuple[TeamPlan, ...]
    targets: tuple[tuple[int, str, int, int], ...]  # (team index, role, count, days ahead)
    past_days: tuple[int, ...]


def _levels(draw: st.DrawFn, competencies: list[str], weighted: bool) -> list[dict[str, Any]]:
    chosen = draw(st.lists(st.sampled_from(competencies), unique=True, min_size=1, max_size=3))
    out = []
    for key in chosen:
        entry: dict[str, Any] = {"competency": key, "level": draw(st.integers(1, 4))}
        if weighted:
            entry["weight"] = draw(st.integers(1, 4))
        out.append(entry)
    return out


@st.composite
def catalogues(draw: st.DrawFn) -> dict[str, Any]:
    """A catalogue file within the documented schema (INTERFACES.md), as a dict."""
    competencies = [f"skill-{i}" for i in range(draw(st.integers(1, 4)))]
    families = st.sampled_from(("product", "data", "platform"))
    role_names = draw(st.permutations(ROLE_NAMES))[: draw(st.integers(1, 3))]
    roles = [
        {
            "key": f"role-{i}",
            "name": name,
            "family": draw(families),
            "requires": _levels(draw, competencies, weighted=True),
        }
        for i, name in enumerate(role_names)
    ]
    modules = []
    for i in range(draw(st.integers(1, 5))):
        module: dict[str, Any] = {
            "key": f"module-{i}",
            "title": f"Module {i}",
            "url": f"https://example.org/module/{i}",
            "hours": draw(st.integers(0, 40)),
            "requires_verification": draw(st.booleans()),
            "develops": _levels(draw, competencies, weighted=False),
        }
        assessment = draw(
            st.none()
            | st.fixed_dictionaries(
                {
                    "kind": st.sampled_from(("quiz", "project", "review")),
                    "pass_mark": st.integers(0, 100),
                }
            )
        )
        if assessment is not None:
            module["assessment"] = assessment
        modules.append(module)
    keys = [m["key"] for m in modules]
    paths = []
    for role in roles:
        if not draw(st.booleans()):
            continue
        steps = draw(st.lists(st.sampled_from(keys), unique=True, min_size=1))
        prerequisites = {}
        for index, step in enumerate(steps[1:], start=1):
            before = draw(st.lists(st.sampled_from(steps[:index]), unique=True, max_size=2))
            if before:
                prerequisites[step] = before
        paths.append(
            {
                "key": f"path-{role['key']}",
                "name": f"Towards {role['name']}",
                "role": role["key"],
                "modules": steps,
                "prerequisites": prerequisites,
            }
        )
    return {
        "version": 1,
        "competencies": [
            {"key": key, "name": f"Skill {key[-1]}", "family": draw(families)}
            for key in competencies
        ],
        "roles": roles,
        "modules": modules,
        "paths": paths,
    }


@st.composite
def proofs(draw: st.DrawFn, modules: list[dict[str, Any]]) -> Proof:
    """A completion of any module, or an attempt at a module with an assessment."""
    module = draw(st.sampled_from(modules))
    kinds = ("attempt", "attempt", "completion") if "assessment" in module else ("completion",)
    kind = draw(st.sampled_from(kinds))
    return Proof(
        module["key"],
        kind,
        draw(st.integers(0, 300)),
        draw(st.sampled_from(STATUSES) | st.sampled_from(("valid", "verified"))),
        draw(st.integers(0, 100)) if kind == "attempt" else None,
    )


def engineer_plans(catalogue: dict[str, Any]) -> st.SearchStrategy[EngineerPlan]:
    """One engineer's evidence, self-assessments and enrolments over `catalogue`."""
    competencies = [c["key"] for c in catalogue["competencies"]]
    paths = [p["key"] for p in catalogue["paths"]]
    joinings = (
        st.lists(
            st.builds(
                Joining,
                st.sampled_from(paths),
                st.integers(0, 300),
                st.booleans(),
                st.none() | st.integers(-30, 300),
            ),
            max_size=2,
            unique_by=lambda j: j.path,
        )
        if paths
        else st.just([])
    )
    return st.builds(
        EngineerPlan,
        st.lists(proofs(catalogue["modules"]), max_size=10).map(tuple),
        st.lists(
            st.builds(Claim, st.sampled_from(competencies), st.integers(0, 4), st.integers(0, 300)),
            max_size=3,
        ).map(tuple),
        joinings.map(tuple),
    )


@st.composite
def organisations(draw: st.DrawFn) -> Organisation:
    """A catalogue, one or two teams of one to five engineers, targets and dates to look at."""
    catalogue = draw(catalogues())
    roles = [r["key"] for r in catalogue["roles"]]
    engineer = engineer_plans(catalogue)
    names = draw(st.permutations(TEAM_NAMES))[: draw(st.integers(1, 2))]
    teams = tuple(
        TeamPlan(
            name,
            tuple(draw(st.lists(engineer, min_size=1, max_size=5))),
            draw(st.none() | engineer),
            draw(st.none() | engineer),
        )
        for name in names
    )
    retired_role = draw(st.none() | st.sampled_from(roles)) if len(roles) > 1 else None
    targets = draw(
        st.lists(
            st.tuples(
                st.integers(0, len(teams) - 1),
                st.sampled_from(roles),
                st.integers(1, 5),
                st.integers(0, 400),
            ),
            min_size=1,
            max_size=2,
        )
    )
    return Organisation(
        catalogue,
        retired_role,
        draw(st.none() | st.sampled_from([m["key"] for m in catalogue["modules"]])),
        teams,
        tuple(targets),
        tuple(draw(st.lists(st.integers(1, 300), min_size=1, max_size=2, unique=True))),
    )


# --- The world in the database -----------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """An active engineer of a team, with an API token of their own."""

    id: int
    email: str
    name: str
    token: str


@dataclass(frozen=True)
class TeamWorld:
    """A team as built: its manager (and their token), its engineers, who must not show."""

    id: int
    name: str
    manager: User
    manager_token: str
    engineers: list[Person]
    gone: list[str]  # emails of deactivated engineers


@dataclass(frozen=True)
class World:
    """What the surfaces are asked about."""

    today: date
    dates: list[date]
    roles: list[str]  # live role keys
    role_names: dict[str, str]
    requires: dict[str, dict[str, int]]  # role -> competency -> required level
    teams: list[TeamWorld]
    ld: User


def start_empty() -> None:
    """Empty every table, as conftest's `_empty_tables`, and forget what the session held."""
    db.session.rollback()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
    db.session.expunge_all()


class Recorder:
    """Inserts the drawn records as rows, directly, with the ids of the imported catalogue."""

    def __init__(self, org: Organisation, today: date, ld: User) -> None:
        self.today, self.ld = today, ld
        self.modules = dict(db.session.execute(db.select(Module.key, Module.id)).all())
        self.paths = dict(db.session.execute(db.select(LearningPath.key, LearningPath.id)).all())
        self.skills = dict(db.session.execute(db.select(Competency.key, Competency.id)).all())
        self.pass_marks = {
            m["key"]: m["assessment"]["pass_mark"]
            for m in org.catalogue["modules"]
            if "assessment" in m
        }

    def records(self, user: User, plan: EngineerPlan, manager: User) -> None:
        decider = self.ld if user.id == manager.id else manager
        for proof in plan.evidence:
            decided = proof.status in ("verified", "rejected")
            db.session.add(
                Evidence(
                    user_id=user.id,
                    module_id=self.modules[proof.module],
                    kind=EvidenceKind(proof.kind),
                    date=self.today - timedelta(days=proof.days_ago),
                    score=proof.score,
                    passed=None
                    if proof.score is None
                    else proof.score >= self.pass_marks[proof.module],
                    status=EvidenceStatus(proof.status),
                    recorded_by_id=user.id,
                    decided_by_id=decider.id if decided else None,
                    decided_at=utcnow() if decided else None,
                    decision_reason="no link to the work" if proof.status == "rejected" else "",
                )
            )
        for claim in plan.claims:
            db.session.add(
                SelfAssessment(
                    user_id=user.id,
                    competency_id=self.skills[claim.competency],
                    level=claim.level,
                    claimed_at=utcnow() - timedelta(days=claim.days_ago),
                )
            )
        for joining in plan.joinings:
            db.session.add(
                Enrolment(
                    user_id=user.id,
                    path_id=self.paths[joining.path],
                    assigned_by_id=manager.id if joining.assigned else None,
                    due_on=None
                    if joining.due_in is None or not joining.assigned
                    else self.today + timedelta(days=joining.due_in),
                    enrolled_at=utcnow() - timedelta(days=joining.days_ago),
                )
            )
        db.session.commit()


def token_for(user: User) -> str:
    _, secret = issue_token(user, "one-number")
    db.session.commit()
    return secret


def build(org: Organisation) -> World:
    """Put the organisation in the database and return what to ask the surfaces about."""
    start_empty()
    today = clock.today()
    import_text(json.dumps(org.catalogue), "catalogue.json")
    db.session.commit()
    if org.retired_role:
        role = db.session.scalar(db.select(TargetRole).where(TargetRole.key == org.retired_role))
        role.archived_at = utcnow()
    if org.retired_module:
        module = db.session.scalar(db.select(Module).where(Module.key == org.retired_module))
        module.archived_at = utcnow()
    db.session.commit()
    ld = factories.make_user(email="ld@corp.test", name="Learning Team", roles=[Role.LD])
    recorder = Recorder(org, today, ld)
    teams = [build_team(recorder, t, plan) for t, plan in enumerate(org.teams)]
    role_ids = dict(db.session.execute(db.select(TargetRole.key, TargetRole.id)).all())
    for t, role, count, ahead in org.targets:
        db.session.add(
            StaffingTarget(
                team_id=teams[t].id,
                role_id=role_ids[role],
                count=count,
                by=today + timedelta(days=ahead),
                created_by_id=teams[t].manager.id,
            )
        )
    db.session.commit()
    live = [r for r in org.catalogue["roles"] if r["key"] != org.retired_role]
    return World(
        today=today,
        dates=[today] + [today - timedelta(days=n) for n in org.past_days],
        roles=[r["key"] for r in live],
        role_names={r["key"]: r["name"] for r in live},
        requires={r["key"]: {q["competency"]: q["level"] for q in r["requires"]} for r in live},
        teams=teams,
        ld=ld,
    )


def build_team(recorder: Recorder, t: int, plan: TeamPlan) -> TeamWorld:
    """A team with its manager, engineers (the manager among them, maybe) and their records."""
    make = factories.make_user
    lead_roles = [Role.MANAGER, Role.ENGINEER] if plan.manager_as_engineer else [Role.MANAGER]
    lead = make(email=f"lead{t}@corp.test", name=f"Lead {SURNAMES[t]}", roles=lead_roles)
    people = [
        make(email=f"eng{t}-{i}@corp.test", name=f"{SURNAMES[(i + 3 * t) % 8]} {t}-{i}")
        for i in range(len(plan.engineers))
    ]
    plans = list(plan.engineers)
    if plan.manager_as_engineer:
        people.append(lead)
        plans.append(plan.manager_as_engineer)
    gone = []
    if plan.deactivated:
        gone.append(make(email=f"gone{t}@corp.test", name=f"Gone {t}", active=False))
        plans.append(plan.deactivated)
    team = factories.make_team(name=plan.name, managers=[lead], members=people + gone)
    for user, records in zip(people + gone, plans, strict=True):
        recorder.records(user, records, lead)
    engineers = [Person(u.id, u.email, u.name, token_for(u)) for u in people]
    return TeamWorld(team.id, team.name, lead, token_for(lead), engineers, [u.email for u in gone])


# --- Reading the surfaces ------------------------------------------------------------------


Figure = tuple[float, str]  # readiness, band


def ok_text(response: Any, what: str) -> str:
    assert response.status_code == 200, f"{what}: HTTP {response.status_code}"
    return response.get_data(as_text=True)


def api_get(client: FlaskClient, url: str, token: str) -> dict[str, Any]:
    response = client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, f"{url}: HTTP {response.status_code} {response.json}"
    return response.json


def role_rows(page: str) -> dict[str, Figure]:
    """The `data-role` rows of engineer/_progress.html."""
    return {role: (float(value), band) for role, value, band in ROLE_ROW.findall(page)}


def csv_rows(client: FlaskClient, url: str) -> tuple[list[str], list[list[str]]]:
    text = ok_text(client.get(url), url)
    header, *rows = list(csv.reader(io.StringIO(text)))
    return header, rows


def numbers(row: list[str]) -> list[int]:
    return [int(cell) for cell in row]


def role_figures(progress: dict[str, Any]) -> dict[str, Figure]:
    return {r["role"]: (r["readiness"], r["band"]) for r in progress["roles"]}


def demonstrated(progress: dict[str, Any], competency: str) -> int:
    return progress["levels"].get(competency, {}).get("demonstrated", 0)


# --- The property --------------------------------------------------------------------------


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(org=organisations())
def test_every_surface_shows_the_same_readiness_and_band_for_an_engineer_role_and_date(
    client: FlaskClient, login_as: Any, org: Organisation
) -> None:
    world = build(org)
    progress = read_progress_api(client, world)
    team_api = check_team_api_against_progress(client, world, progress)
    check_managers_pages_and_charts(client, login_as, world, progress, team_api)
    check_home_pages(client, login_as, world, progress)
    check_company_view(client, login_as, world, team_api)


def read_progress_api(client: FlaskClient, world: World) -> dict[tuple[str, date], Any]:
    """Each engineer's own progress, with their own token, for every date; every live role."""
    out = {}
    for team in world.teams:
        for person in team.engineers:
            for day in world.dates:
                url = f"/api/v1/engineers/{person.email}/progress?as_of={day.isoformat()}"
                answer = api_get(client, url, person.token)
                assert answer["as_of"] == day.isoformat()
                assert sorted(r["role"] for r in answer["roles"]) == sorted(world.roles), (
                    f"progress API for {person.email} as of {day}: roles "
                    f"{[r['role'] for r in answer['roles']]}, live roles {world.roles}"
                )
                out[(person.email, day)] = answer
    return out


def check_team_api_against_progress(
    client: FlaskClient, world: World, progress: dict[tuple[str, date], Any]
) -> dict[tuple[int, str, date], dict[str, Any]]:
    """The team API's rows equal each engineer's progress; its bands count those rows."""
    out = {}
    for team in world.teams:
        for role in world.roles:
            for day in world.dates:
                url = f"/api/v1/teams/{team.id}/readiness?role={role}&as_of={day.isoformat()}"
                answer = api_get(client, url, team.manager_token)
                check_team_answer(team, role, day, answer, progress)
                out[(team.id, role, day)] = answer
    return out


def check_team_answer(
    team: TeamWorld,
    role: str,
    day: date,
    answer: dict[str, Any],
    progress: dict[tuple[str, date], Any],
) -> None:
    rows = {e["email"]: e for e in answer["engineers"]}
    assert sorted(rows) == sorted(p.email for p in team.engineers), (
        f"team API {team.name}: engineers {sorted(rows)}"
    )
    for person in team.engineers:
        mine = next(r for r in progress[(person.email, day)]["roles"] if r["role"] == role)
        theirs = rows[person.email]
        got = (theirs["readiness"], theirs["band"], theirs["projected_ready_on"])
        want = (mine["readiness"], mine["band"], mine["projected_ready_on"])
        assert got == want, (
            f"team API {team.name} vs progress API for {person.email}, {role}, {day}: "
            f"{got} != {want}"
        )
    counted = Counter(e["band"] for e in answer["engineers"])
    assert answer["bands"] == {b: counted.get(b, 0) for b in BANDS}, (
        f"team API {team.name}, {role}, {day}: bands {answer['bands']} but rows {dict(counted)}"
    )
    assert sum(answer["bands"].values()) == len(team.engineers)
    for target in answer["targets"]:
        by = date.fromisoformat(target["by"])
        assert target["projected_ready"] == projected_by(answer, by), (
            f"team API {team.name}, {role}, {day}: target {target} but its rows project "
            f"{projected_by(answer, by)} ready by {by}"
        )
        assert target["gap"] == max(0, target["count"] - target["projected_ready"])


def projected_by(answer: dict[str, Any], by: date) -> int:
    """How many of the team API's engineers are ready or projected ready on or before `by`."""
    return sum(
        1
        for e in answer["engineers"]
        if e["projected_ready_on"] is not None and date.fromisoformat(e["projected_ready_on"]) <= by
    )


Target = tuple[int, str, int, int]  # count, by, projected ready, gap


def api_targets(answer: dict[str, Any]) -> list[Target]:
    return [(t["count"], t["by"], t["projected_ready"], t["gap"]) for t in answer["targets"]]


def check_managers_pages_and_charts(
    client: FlaskClient,
    login_as: Any,
    world: World,
    progress: dict[tuple[str, date], Any],
    team_api: dict[tuple[int, str, date], dict[str, Any]],
) -> None:
    """The dashboard, the charts' CSVs and the manager's view of each engineer agree."""
    for team in world.teams:
        login_as(team.manager)
        for day in world.dates:
            on = day.isoformat()
            check_bands_csv(client, world, team, day, team_api)
            for role in world.roles:
                answer = team_api[(team.id, role, day)]
                check_dashboard(client, team, role, day, answer)
                check_dashboard_charts(client, team, role, day)
                header, rows = csv_rows(
                    client, f"/team/{team.id}/charts/trend.csv?role={role}&as_of={on}"
                )
                assert header == ["week", *BANDS]
                assert rows[-1][0] == on, f"trend.csv {team.name}, {role}: last week {rows[-1][0]}"
                assert dict(zip(BANDS, numbers(rows[-1][1:]), strict=True)) == answer["bands"], (
                    f"trend.csv {team.name}, {role}, {day}: last row {rows[-1]}, "
                    f"team API bands {answer['bands']}"
                )
                check_heatmap(client, world, team, role, day, progress)
                check_forecast_csv(client, team, role, day, answer)
            for person in team.engineers:
                mine = progress[(person.email, day)]
                page = ok_text(
                    client.get(f"/team/engineers/{person.id}?as_of={on}"), "manager's view"
                )
                assert role_rows(page) == role_figures(mine), (
                    f"manager's view of {person.email} as of {day}: {role_rows(page)}, "
                    f"progress API {role_figures(mine)}"
                )
                for role in world.roles:
                    check_levels_csv(client, world, person, role, day, mine)


def check_bands_csv(
    client: FlaskClient,
    world: World,
    team: TeamWorld,
    day: date,
    team_api: dict[tuple[int, str, date], dict[str, Any]],
) -> None:
    """One row per live role name; each row equals the team API's bands for that role."""
    any_role = world.roles[0]
    header, rows = csv_rows(
        client, f"/team/{team.id}/charts/bands.csv?role={any_role}&as_of={day.isoformat()}"
    )
    assert header == ["role", *BANDS]
    by_name = {row[0]: dict(zip(BANDS, numbers(row[1:]), strict=True)) for row in rows}
    assert sorted(by_name) == sorted(world.role_names.values()), f"bands.csv roles {by_name}"
    for role in world.roles:
        want = team_api[(team.id, role, day)]["bands"]
        assert by_name[world.role_names[role]] == want, (
            f"bands.csv {team.name}, {role}, {day}: {by_name[world.role_names[role]]}, "
            f"team API {want}"
        )


def check_dashboard(
    client: FlaskClient, team: TeamWorld, role: str, day: date, answer: dict[str, Any]
) -> None:
    """The dashboard's engineer rows and band totals equal the team API's."""
    page = ok_text(client.get(f"/team/{team.id}/?role={role}&as_of={day.isoformat()}"), "dashboard")
    shown = {email: (float(value), band) for email, value, band in ENGINEER_ROW.findall(page)}
    api = {e["email"]: (e["readiness"], e["band"]) for e in answer["engineers"]}
    assert shown == api, f"dashboard {team.name}, {role}, {day}: {shown}, team API {api}"
    cards = {band: int(count) for count, band in BAND_CARD.findall(page)}
    assert cards == answer["bands"], (
        f"dashboard band totals {team.name}, {role}, {day}: {cards}, team API {answer['bands']}"
    )
    assert not set(team.gone) & set(shown), f"a deactivated engineer shows on {team.name}"
    section = page.split('aria-labelledby="targets">', 1)[1].split("</section>", 1)[0]
    table = [
        (int(count), by, int(projected), int(gap or 0))
        for count, by, projected, gap in TARGET_ROW.findall(section)
    ]
    assert table == api_targets(answer), (
        f"dashboard targets {team.name}, {role}, {day}: {table}, team API {api_targets(answer)}"
    )


FIGURE = re.compile(
    r'<figure class="card chart">\s*<picture>\s*<source [^>]*>\s*<img src="[^"]*/charts/(\w+)\.png'
)


def check_dashboard_charts(client: FlaskClient, team: TeamWorld, role: str, day: date) -> None:
    """The numbers under each chart of the dashboard are the rows of that chart's CSV."""
    on = day.isoformat()
    page = ok_text(client.get(f"/team/{team.id}/?role={role}&as_of={on}"), "dashboard")
    figures = page.split('aria-labelledby="charts">', 1)[1].split("</section>", 1)[0]
    blocks = figures.split("</figure>")[:-1]
    names = [FIGURE.search(block).group(1) for block in blocks]  # type: ignore[union-attr]
    assert names == ["bands", "trend", "heatmap", "forecast"]
    for name, block in zip(names, blocks, strict=True):
        body = block.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
        shown = [
            [html.unescape(cell) for cell in re.findall(r"<td>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", body)
        ]
        _, rows = csv_rows(client, f"/team/{team.id}/charts/{name}.csv?role={role}&as_of={on}")
        assert shown == rows, (
            f"dashboard {name} numbers {team.name}, {role}, {day}: {shown}, CSV {rows}"
        )


def check_forecast_csv(
    client: FlaskClient, team: TeamWorld, role: str, day: date, answer: dict[str, Any]
) -> None:
    """Projected ready by each month's end as the team API's rows say; its targets as the API's."""
    header, rows = csv_rows(
        client, f"/team/{team.id}/charts/forecast.csv?role={role}&as_of={day.isoformat()}"
    )
    assert header == ["date", "projected_ready", "target"]
    months = [(end, int(n)) for end, n, target in rows if target == ""]
    assert len(months) == 12 and all(day <= date.fromisoformat(end) for end, _ in months)
    want = [(end, projected_by(answer, date.fromisoformat(end))) for end, _ in months]
    assert months == want, f"forecast.csv {team.name}, {role}, {day}: {months}, team API {want}"
    targets = [(by, int(count)) for by, n, count in rows if n == ""]
    api = [(t["by"], t["count"]) for t in answer["targets"]]
    assert targets == api, f"forecast.csv targets {team.name}, {role}, {day}: {targets}, {api}"


def check_heatmap(
    client: FlaskClient,
    world: World,
    team: TeamWorld,
    role: str,
    day: date,
    progress: dict[tuple[str, date], Any],
) -> None:
    """Each engineer's row of levels equals their demonstrated levels in the progress API."""
    header, rows = csv_rows(
        client, f"/team/{team.id}/charts/heatmap.csv?role={role}&as_of={day.isoformat()}"
    )
    competencies = header[1:]
    assert sorted(competencies) == sorted(world.requires[role])
    *engineers, required = rows
    assert required == ["required", *[str(world.requires[role][c]) for c in competencies]]
    by_name = {row[0]: numbers(row[1:]) for row in engineers}
    assert sorted(by_name) == sorted(p.name for p in team.engineers)
    for person in team.engineers:
        mine = progress[(person.email, day)]
        want = [demonstrated(mine, c) for c in competencies]
        assert by_name[person.name] == want, (
            f"heatmap.csv {team.name}, {role}, {day} for {person.email}: "
            f"{by_name[person.name]}, progress API {want} ({competencies})"
        )


def check_levels_csv(
    client: FlaskClient,
    world: World,
    person: Person,
    role: str,
    day: date,
    mine: dict[str, Any],
) -> None:
    """The engineer's levels chart: demonstrated and claimed as the API says, required as set."""
    header, rows = csv_rows(
        client, f"/progress/{person.id}/levels.csv?role={role}&as_of={day.isoformat()}"
    )
    assert header == ["competency", "demonstrated", "required", "claimed"]
    got = {row[0]: numbers(row[1:]) for row in rows}
    want = {
        c: [demonstrated(mine, c), level, mine["levels"].get(c, {}).get("claimed") or 0]
        for c, level in world.requires[role].items()
    }
    assert got == want, f"levels.csv for {person.email}, {role}, {day}: {got}, progress API {want}"


def check_home_pages(
    client: FlaskClient, login_as: Any, world: World, progress: dict[tuple[str, date], Any]
) -> None:
    """Each engineer's home page shows today's figures, as the progress API does."""
    for team in world.teams:
        for person in team.engineers:
            user = db.session.get(User, person.id)
            page = ok_text(login_as(user).get("/"), f"home page of {person.email}")
            want = role_figures(progress[(person.email, world.today)])
            assert role_rows(page) == want, (
                f"home page of {person.email}: {role_rows(page)}, progress API today {want}"
            )


def check_company_view(
    client: FlaskClient,
    login_as: Any,
    world: World,
    team_api: dict[tuple[int, str, date], dict[str, Any]],
) -> None:
    """The company view counts, targets and totals equal the team API's, on every date.

    The page (today) shows ready and nearly ready per team and role, each team's targets and
    the "All teams" totals; the view it renders, read for every date, holds all four bands.
    """
    page = ok_text(login_as(world.ld).get("/team/company"), "company view")
    cells = {
        (html.unescape(team), role): (int(ready), int(nearly))
        for team, role, ready, nearly in COMPANY_CELL.findall(page)
    }
    want = {}
    for team in world.teams:
        for role in world.roles:
            bands = team_api[(team.id, role, world.today)]["bands"]
            want[(team.name, role)] = (bands["ready"], bands["nearly_ready"])
    assert cells == want, f"company view {cells}, team API today {want}"
    lines, totals = company_targets(world, team_api, world.today)
    names = {name: key for key, name in world.role_names.items()}
    shown = [
        (html.unescape(team), names[html.unescape(role)], int(count), by, int(proj), int(gap or 0))
        for team, role, count, by, proj, gap in COMPANY_TARGET.findall(page)
    ]
    assert sorted(shown) == sorted(lines), f"company targets {shown}, team API today {lines}"
    shown_totals = {
        role: (int(count), int(projected), int(gap or 0))
        for role, count, projected, gap in COMPANY_TOTAL.findall(page)
    }
    assert any(shown_totals == {r: t[:3] for r, t in one.items()} for one in totals), (
        f"company totals {shown_totals}, binding targets from the team API today {totals}"
    )
    for day in world.dates:
        check_company_read(world, team_api, day)


def check_company_read(
    world: World, team_api: dict[tuple[int, str, date], dict[str, Any]], day: date
) -> None:
    """The company view as of `day`: each team's four bands, its targets and the totals."""
    view = company_view(day)
    assert view.roles == sorted(world.roles)
    bands = {cell: dict(counts) for cell, counts in view.bands.items()}
    want = {
        (team.name, role): team_api[(team.id, role, day)]["bands"]
        for team in world.teams
        for role in world.roles
    }
    assert bands == want, f"company view bands as of {day}: {bands}, team API {want}"
    got = [(t.team, t.role, t.count, t.by.isoformat(), t.projected, t.gap) for t in view.targets]
    lines, totals = company_targets(world, team_api, day)
    assert sorted(got) == sorted(lines), f"company targets as of {day}: {got}, team API {lines}"
    got_totals = {
        role: (t.count, t.projected, t.gap, t.by.isoformat()) for role, t in view.totals.items()
    }
    assert {t.team for t in view.totals.values()} <= {"All teams"}
    assert got_totals in totals, (
        f"company totals as of {day}: {got_totals}, binding targets from the team API {totals}"
    )


Line = tuple[str, str, int, str, int, int]  # team, role, count, by, projected, gap
Totals = dict[str, tuple[int, int, int, str]]  # role -> count, projected, gap, latest by


def company_targets(
    world: World, team_api: dict[tuple[int, str, date], dict[str, Any]], day: date
) -> tuple[list[Line], list[Totals]]:
    """Every team's targets as the team API gives them, and the "All teams" totals they make.

    The totals sum, per role, each team's binding target: the largest gap, then the latest
    date (tracker/reads/company.py, `_totals`). Targets tied on both are equally binding, so
    every choice among them gives totals the view may show.
    """
    lines: list[Line] = []
    choices: list[list[Line]] = []
    for team in world.teams:
        for role in world.roles:
            mine = [
                (team.name, role, count, by, projected, gap)
                for count, by, projected, gap in api_targets(team_api[(team.id, role, day)])
            ]
            lines += mine
            if mine:
                top = max((gap, by) for *_, by, _projected, gap in mine)
                choices.append([t for t in mine if (t[5], t[3]) == top])
    possible = []
    for binding in itertools.product(*choices):
        totals: Totals = {}
        for _, role, count, by, projected, gap in binding:
            c, p, g, latest = totals.get(role, (0, 0, 0, by))
            totals[role] = (c + count, p + projected, g + gap, max(latest, by))
        possible.append(totals)
    return lines, possible
