"""Regression tests for the defects found when the product was tried as each kind of user.

One test (or a small group) per fixed defect of FOUND.md (B1-B8, B10-B12, B18); each fails
if the defect comes back.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

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
    StaffingTarget,
)
from tracker.operations import decide
from tracker.operations.tokens import issue_token

TODAY = today()
PAST = TODAY - timedelta(days=30)


# --- helpers -----------------------------------------------------------------------------------


def main_html(response) -> str:
    """The page's own content: what is inside <main>, without the site navigation."""
    html = response.get_data(as_text=True)
    start, end = html.index('<main id="content">'), html.index("</main>")
    return html[start:end]


def text_of(html: str) -> str:
    """The words a person reads: tags dropped, whitespace collapsed."""
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def flashes(html: str) -> list[tuple[str, str]]:
    """(category, message) of every flashed message on a page."""
    return [
        (cat, text_of(msg))
        for cat, msg in re.findall(r'<p class="flash flash-(\w+)">(.*?)</p>', html, re.S)
    ]


def module_id(key: str) -> int:
    return db.session.scalar(db.select(Module.id).where(Module.key == key))


def add_evidence(person, key, days_ago, kind=EvidenceKind.ATTEMPT, status=EvidenceStatus.VALID):
    db.session.add(
        Evidence(
            user_id=person.id,
            module_id=module_id(key),
            kind=kind,
            date=TODAY - timedelta(days=days_ago),
            status=status,
            score=90 if kind is EvidenceKind.ATTEMPT else None,
            passed=True if kind is EvidenceKind.ATTEMPT else None,
        )
    )
    db.session.commit()


def api_headers(user) -> dict[str, str]:
    _, secret = issue_token(user, "tests")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def org(app, make_user, make_team):
    """Payments, managed by Morgan Manager (also one of its engineers), with Erin Engineer.

    Erin passed the classification quiz 20 days ago (model evaluation at level 2 of 3), so
    she has gaps for ML Engineer; Morgan assigned her the path. Search is another team.
    """
    import_text(SMALL, "small.yaml")
    db.session.commit()
    morgan = make_user(
        email="manager@corp.test", name="Morgan Manager", roles=[Role.MANAGER, Role.ENGINEER]
    )
    erin = make_user(email="erin@corp.test", name="Erin Engineer")
    omar = make_user(email="omar@corp.test", name="Omar Adams")
    team = make_team(name="Payments", managers=[morgan], members=[morgan, erin, omar])
    sven = make_user(email="sven@corp.test", name="Sven Sato")
    search = make_team(name="Search", members=[sven])
    add_evidence(erin, "mlcc-classification", 20)
    path = db.session.scalar(db.select(LearningPath).where(LearningPath.key == "swe-to-mle"))
    db.session.add(Enrolment(user_id=erin.id, path_id=path.id, assigned_by_id=morgan.id))
    db.session.commit()
    return {
        "morgan": morgan,
        "erin": erin,
        "omar": omar,
        "sven": sven,
        "team": team,
        "search": search,
        "path": path,
    }


# --- B1: the manager's view of an engineer lists their levels -----------------------------------


def test_a_managers_view_of_an_engineer_lists_their_levels(client, login_as, org):
    erin = org["erin"]
    html = main_html(login_as(org["morgan"]).get(f"/team/engineers/{erin.id}?role=ml-engineer"))
    rows = re.findall(r"<tr><td>([^<]*)</td><td>(\d)</td><td>(\d)</td><td>([^<]*)</td></tr>", html)
    assert ("Model evaluation", "2", "3", "—") in rows
    assert ("ML pipelines &amp; CI/CD", "0", "2", "—") in rows


def test_the_levels_table_shows_what_the_engineer_claims(client, login_as, org):
    erin = org["erin"]
    ids = dict(db.session.execute(db.select(Competency.key, Competency.id)).all())
    claims = {f"level-{ids['model-evaluation']}": "4", f"level-{ids['ml-pipelines']}": "1"}
    login_as(erin).post("/progress/self-assessment", data=claims)
    html = main_html(login_as(org["morgan"]).get(f"/team/engineers/{erin.id}?role=ml-engineer"))
    rows = re.findall(r"<tr><td>([^<]*)</td><td>(\d)</td><td>(\d)</td><td>([^<]*)</td></tr>", html)
    assert ("Model evaluation", "2", "3", "4") in rows
    assert ("ML pipelines &amp; CI/CD", "0", "2", "1") in rows


# --- B4: the levels chart follows the as-of date ------------------------------------------------


def test_the_engineer_pages_levels_chart_is_drawn_as_of_the_date_viewed(client, login_as, org):
    erin = org["erin"]
    html = main_html(
        login_as(org["morgan"]).get(
            f"/team/engineers/{erin.id}?role=ml-engineer&as_of={PAST.isoformat()}"
        )
    )
    sources = re.findall(r'<img src="([^"]*levels\.png[^"]*)"', html)
    assert sources, "the levels chart is on the page"
    assert all(query_of(s.replace("&amp;", "&")).get("as_of") == PAST.isoformat() for s in sources)


def test_the_levels_numbers_as_of_a_past_date_leave_out_later_evidence(client, login_as, org):
    client = login_as(org["morgan"])
    base = f"/progress/{org['erin'].id}/levels.csv?role=ml-engineer"
    today = dict((r[0], r[1]) for r in csv_rows(client.get(base))[1:])
    then = dict((r[0], r[1]) for r in csv_rows(client.get(f"{base}&as_of={PAST}"))[1:])
    assert today["model-evaluation"] == "2"  # passed 20 days ago
    assert then["model-evaluation"] == "0"  # not yet 30 days ago


# --- B18: someone else's page speaks of the engineer, and names people -------------------------


@pytest.mark.parametrize("viewer", ["morgan", "ld"])
def test_someone_elses_view_of_an_engineer_names_them_never_you(
    client, login_as, make_user, org, viewer
):
    who = org["morgan"] if viewer == "morgan" else make_user(name="Lee Learning", roles=[Role.LD])
    page = login_as(who).get(f"/team/engineers/{org['erin'].id}?role=ml-engineer")
    words = text_of(main_html(page))
    assert "What stands between Erin Engineer and ML Engineer" in words
    assert "Erin Engineer's paths" in words
    assert not re.search(r"\byou(rs?)?\b", words, re.I), words
    assert "by Morgan Manager" in words and "manager@corp.test" not in words


# --- B6: the manager's own row links to a page that answers ------------------------------------


def test_the_managers_own_row_on_the_team_dashboard_opens(client, login_as, org):
    client = login_as(org["morgan"])
    html = client.get(f"/team/{org['team'].id}/?role=ml-engineer").get_data(as_text=True)
    link = re.search(
        r'<tr data-engineer="manager@corp.test".*?<a href="([^"]+)">Morgan Manager</a>', html, re.S
    )
    assert link, "the manager is listed among the team's engineers"
    response = client.get(link.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    assert "<h1>Morgan Manager</h1>" in response.get_data(as_text=True)


# --- B2: the forecast chart is redrawn after a target is added ---------------------------------


def test_adding_a_staffing_target_redraws_the_forecast_chart(client, login_as, org):
    client = login_as(org["morgan"])
    chart = f"/team/{org['team'].id}/charts/forecast.png?role=ml-engineer"
    before = client.get(chart)
    assert before.status_code == 200
    client.post(
        f"/team/{org['team'].id}/targets",
        data={"role": "ml-engineer", "count": "6", "by": (TODAY + timedelta(days=200)).isoformat()},
    )
    after = client.get(chart, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    numbers = csv_rows(client.get(chart.replace(".png", ".csv")))
    assert [(TODAY + timedelta(days=200)).isoformat(), "", "6"] in numbers


# --- B3: the company total counts a team's binding target once ---------------------------------


def test_the_company_total_counts_a_teams_targets_for_a_role_once(
    client, login_as, make_user, scored_team
):
    team, lead = scored_team["team"], scored_team["lead"]
    client = login_as(lead)
    for target in db.session.scalars(db.select(StaffingTarget)):
        client.post(f"/team/{team.id}/targets/{target.id}/archive")
    for count, days in ((3, 100), (6, 200)):
        by = (TODAY + timedelta(days=days)).isoformat()
        client.post(
            f"/team/{team.id}/targets", data={"role": "ml-engineer", "count": count, "by": by}
        )
    html = login_as(make_user(roles=[Role.LD])).get("/team/company").get_data(as_text=True)
    lines = re.findall(
        r"<tr><td>Payments</td><td>ML Engineer</td><td>(\d+)</td><td>[^<]*</td><td>(\d+)</td>", html
    )
    assert sorted(int(c) for c, _ in lines) == [3, 6]
    projected = {int(c): int(p) for c, p in lines}
    total = re.search(r'<tr data-total="ml-engineer">(.*?)</tr>', html, re.S)
    assert total, "the All teams row for ML Engineer"
    cells = re.findall(r"<td>([^<]*)</td>", total.group(1))
    # the 6 already includes the 3: wanted 6, not 9, and its own projection, not the sum
    assert cells[1] == "6" and cells[3] == str(projected[6])
    gap = 6 - projected[6]
    assert cells[4] == (f"hire or move {gap}" if gap else "train: on track")


# --- B5: hours and notes on an assessment attempt are kept --------------------------------------


def test_hours_and_notes_typed_on_an_attempt_are_stored(client, login_as, org):
    response = login_as(org["omar"]).post(
        "/progress/log",
        data={
            "module": "mlcc-classification",
            "kind": "attempt",
            "on": TODAY.isoformat(),
            "score": "55",
            "hours": "4",
            "notes": "First try",
            "evidence_url": "",
        },
    )
    assert response.status_code == 302
    item = db.session.scalar(db.select(Evidence).where(Evidence.user_id == org["omar"].id))
    assert item.score == 55 and float(item.hours) == 4.0 and item.notes == "First try"
    page = client.get("/progress/evidence").get_data(as_text=True)
    assert "4.0&nbsp;h" in page and "First try" in page


def test_hours_and_notes_sent_with_an_attempt_over_the_api_are_stored(client, org):
    response = client.post(
        "/api/v1/assessment-attempts",
        headers=api_headers(org["omar"]),
        json={
            "engineer": "omar@corp.test",
            "module": "mlcc-classification",
            "taken_on": TODAY.isoformat(),
            "score": 80,
            "hours": 2.5,
            "notes": "Second try",
            "evidence_url": "https://notebooks.example.com/omar/quiz",
        },
    )
    assert response.status_code == 201
    item = db.session.get(Evidence, response.get_json()["id"])
    assert float(item.hours) == 2.5 and item.notes == "Second try"
    assert item.evidence_url == "https://notebooks.example.com/omar/quiz"


# --- B7: a new path is "just started", an old one without velocity "stalled" -------------------


def test_a_path_just_enrolled_on_is_just_started_not_stalled(client, login_as, org):
    client = login_as(org["omar"])
    assert client.post("/progress/paths/swe-to-mle/enrol").status_code == 302
    words = text_of(main_html(client.get("/progress/paths")))
    assert "just started" in words and "stalled" not in words
    body = client.get(
        "/api/v1/engineers/omar@corp.test/progress", headers=api_headers(org["omar"])
    ).get_json()
    assert [p["status"] for p in body["paths"]] == ["just_started"]


def test_a_path_just_assigned_is_just_started_not_stalled(client, login_as, org):
    login_as(org["morgan"]).post(
        "/team/assign", data={"path": "swe-to-mle", "engineers": [org["omar"].id]}
    )
    words = text_of(main_html(login_as(org["omar"]).get("/progress/paths")))
    assert "just started" in words and "stalled" not in words
    manager_view = text_of(
        main_html(login_as(org["morgan"]).get(f"/team/engineers/{org['omar'].id}"))
    )
    assert "just started" in manager_view and "stalled" not in manager_view


def test_an_old_enrolment_with_no_velocity_is_stalled(client, login_as, org):
    client = login_as(org["omar"])
    client.post("/progress/paths/swe-to-mle/enrol")
    enrolment = db.session.scalar(db.select(Enrolment).where(Enrolment.user_id == org["omar"].id))
    enrolment.enrolled_at = datetime.now(UTC) - timedelta(days=100)
    db.session.commit()
    assert "stalled" in text_of(main_html(client.get("/progress/paths")))
    body = client.get(
        "/api/v1/engineers/omar@corp.test/progress", headers=api_headers(org["omar"])
    ).get_json()
    assert [p["status"] for p in body["paths"]] == ["stalled"]


# --- B8: evidence reads what it means ----------------------------------------------------------


def test_a_failed_attempt_reads_not_passed_never_valid(client, login_as, org):
    client = login_as(org["omar"])
    client.post(
        "/progress/log",
        data={
            "module": "mlcc-classification",
            "kind": "attempt",
            "on": TODAY.isoformat(),
            "score": "55",
        },
    )
    words = text_of(main_html(client.get("/progress/evidence")))
    assert "not passed" in words
    assert not re.search(r"\bvalid\b", words), words


def test_a_rejected_passing_project_reads_rejected_not_passed_and_rejected(client, login_as, org):
    client = login_as(org["omar"])
    client.post(
        "/progress/log",
        data={
            "module": "capstone",
            "kind": "attempt",
            "on": TODAY.isoformat(),
            "score": "82",
            "evidence_url": "https://git.example.com/omar/capstone",
        },
    )
    item = db.session.scalar(db.select(Evidence).where(Evidence.user_id == org["omar"].id))
    assert item.passed is True and item.status is EvidenceStatus.PENDING
    decide(item, org["morgan"], verified=False, reason="The baseline is missing.")
    db.session.commit()
    html = main_html(client.get("/progress/evidence"))
    words = text_of(html)
    assert f'data-evidence="{item.id}" data-verdict="rejected"' in html
    assert "rejected" in words and "The baseline is missing." in words
    assert "passed · rejected" not in words and "(passed)" not in words


# --- B10: the message after logging says what really changed -----------------------------------


def log_quiz(client, score="90"):
    return client.post(
        "/progress/log",
        data={
            "module": "mlcc-classification",
            "kind": "attempt",
            "on": TODAY.isoformat(),
            "score": score,
        },
        follow_redirects=True,
    )


def test_logging_what_raises_readiness_says_by_how_much(client, login_as, org):
    messages = flashes(log_quiz(login_as(org["omar"])).get_data(as_text=True))
    # model evaluation at 2 of 3 (weight 2), pipelines 0 of 2: 100 * (2 * 2/3) / 3
    assert ("success", "Logged. Readiness for ML Engineer: 0.0% → 44.4%.") in messages


def test_logging_what_adds_no_new_level_says_readiness_is_unchanged(client, login_as, org):
    client = login_as(org["erin"])  # already holds model evaluation at level 2
    (message,) = [m for _, m in flashes(log_quiz(client).get_data(as_text=True))]
    assert "readiness is unchanged" in message
    assert "counts toward your readiness now" not in message and "→" not in message


# --- B11: re-assigning is not a green success for nobody, and a new due date applies -------------


def assign(client, engineer, due: date | None = None) -> list[tuple[str, str]]:
    data = {"path": "swe-to-mle", "engineers": [str(engineer.id)]}
    if due:
        data["due_on"] = due.isoformat()
    response = client.post("/team/assign", data=data, follow_redirects=True)
    return flashes(response.get_data(as_text=True))


def test_assigning_someone_already_on_the_path_is_not_a_success(client, login_as, org):
    client = login_as(org["morgan"])
    assert assign(client, org["omar"])[0][0] == "success"
    ((category, message),) = assign(client, org["omar"])
    assert category != "success"
    assert "to 0 engineers" not in message
    assert "Omar Adams already on it; nothing changed for them." in message


def test_reassigning_with_a_new_due_date_applies_it_and_says_so(client, login_as, org):
    client = login_as(org["morgan"])
    first, later = TODAY + timedelta(days=60), TODAY + timedelta(days=120)
    assign(client, org["omar"], first)
    ((category, message),) = assign(client, org["omar"], later)
    enrolment = db.session.scalar(db.select(Enrolment).where(Enrolment.user_id == org["omar"].id))
    assert enrolment.due_on == later
    assert category == "success" and f"due date now {later.isoformat()}" in message


# --- B12: redirects and the back link keep what the manager was looking at ---------------------


def test_adding_and_retiring_a_target_keep_the_role_date_and_sort(client, login_as, org):
    client = login_as(org["morgan"])
    view = {"role": "ml-engineer", "as_of": PAST.isoformat(), "sort": "name"}
    added = client.post(
        f"/team/{org['team'].id}/targets",
        data={**view, "count": "2", "by": (TODAY + timedelta(days=90)).isoformat()},
    )
    assert added.status_code == 302
    assert urlsplit(added.location).path == f"/team/{org['team'].id}/"
    assert query_of(added.location) == view
    target = db.session.scalar(db.select(StaffingTarget).where(StaffingTarget.count == 2))
    retired = client.post(f"/team/{org['team'].id}/targets/{target.id}/archive", data=view)
    assert retired.status_code == 302
    assert urlsplit(retired.location).path == f"/team/{org['team'].id}/"
    assert query_of(retired.location) == view


def test_a_refused_target_also_keeps_the_view(client, login_as, org):
    view = {"role": "ml-engineer", "as_of": PAST.isoformat(), "sort": "name"}
    refused = login_as(org["morgan"]).post(
        f"/team/{org['team'].id}/targets", data={**view, "count": "0", "by": ""}
    )
    assert refused.status_code == 302 and query_of(refused.location) == view


def test_back_to_team_from_an_engineer_goes_to_their_team_and_keeps_the_view(
    client, login_as, make_user, org
):
    client = login_as(make_user(roles=[Role.LD]))  # sees Payments first, Sven is in Search
    view = {"role": "ml-engineer", "as_of": PAST.isoformat(), "sort": "name"}
    query = "&".join(f"{k}={v}" for k, v in view.items())
    html = main_html(client.get(f"/team/engineers/{org['sven'].id}?{query}"))
    back = re.search(r'<a href="([^"]+)">← Team</a>', html)
    assert back, "the engineer page links back to the team"
    href = back.group(1).replace("&amp;", "&")
    assert urlsplit(href).path == f"/team/{org['search'].id}/"
    assert query_of(href) == view
