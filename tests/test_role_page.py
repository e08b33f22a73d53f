"""Every role explained: requirements beside the engineer's levels, and what closes each gap."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.gap_fixtures import add_evidence, enrol, load_two_roles
from tracker.clock import today
from tracker.extensions import db
from tracker.models import Competency, EvidenceKind, Role, TargetRole


def text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def row_of(html: str, competency: str) -> str:
    """The table row of one requirement."""
    match = re.search(rf'<tr data-competency="{competency}".*?</tr>', html, re.S)
    assert match, f"no row for {competency}"
    return match.group(0)


@pytest.fixture
def erin(app, make_user, login_as):
    """Model evaluation at 2 (demonstrated), ml-pipelines claimed at 3; on the ML path."""
    load_two_roles()
    erin = make_user(name="Erin Engineer", roles=[Role.ENGINEER])
    add_evidence(erin, "mlcc-classification", 20)
    enrol(erin)
    pipelines = db.session.scalar(db.select(Competency.id).where(Competency.key == "ml-pipelines"))
    login_as(erin).post("/progress/self-assessment", data={f"level-{pipelines}": "3"})
    return erin


def test_each_requirement_shows_required_demonstrated_and_claimed_levels(client, erin):
    html = client.get("/progress/roles/ml-engineer").get_data(as_text=True)
    evaluation = text(row_of(html, "model-evaluation"))
    assert evaluation.startswith(
        "Model evaluation (counts 2×) Required: 3 Practitioner"
        " You have demonstrated: 2 Working You claim: —"
    )
    pipelines = text(row_of(html, "ml-pipelines"))
    assert pipelines.startswith(
        "ML pipelines & CI/CD Required: 2 Working"
        " You have demonstrated: 0 none You claim: 3 Practitioner"
    )
    # 100 * (2 * 2/3 + 0) / 3
    assert "Your readiness: 44.4%" in text(html) and "band-in_progress" in html


def test_what_closes_a_gap_lists_the_engineers_path_first_each_with_log_it(client, erin):
    row = row_of(client.get("/progress/roles/ml-engineer").get_data(as_text=True), "ml-pipelines")
    closing = re.findall(r'<a class="course" href="([^"]+)"', row)
    # pipelines-101 and capstone are on Erin's path; aaa-pipelines is not, though first by key
    assert closing == [
        "https://example.org/pipelines",
        "https://example.org/capstone",
        "https://courses.example.net/pipelines",
    ]
    assert re.findall(r"/progress/log\?module=([\w-]+)", row) == [
        "pipelines-101",
        "capstone",
        "aaa-pipelines",
    ]
    assert row.count("on your path") == 2


def test_a_met_requirement_needs_nothing(client, erin):
    html = client.get("/progress/roles/data-engineer").get_data(as_text=True)
    row = row_of(html, "model-evaluation")
    assert "met" in text(row) and "/progress/log" not in row


def test_the_levels_chart_is_for_that_role_and_today(client, erin):
    html = client.get("/progress/roles/data-engineer").get_data(as_text=True)
    src = re.search(r'<img src="([^"]+levels\.png[^"]*)" alt="([^"]+)"', html)
    assert src, "the levels chart is on the page"
    url = unescape(src.group(1))
    assert f"/progress/{erin.id}/levels.png" in url
    assert "role=data-engineer" in url and f"as_of={today().isoformat()}" in url
    assert "Data Engineer" in src.group(2)
    assert client.get(url).status_code == 200


def test_every_role_is_listed_closest_first_with_its_readiness(client, erin):
    html = client.get("/progress/roles/ml-engineer").get_data(as_text=True)
    section = html[html.index('id="all-roles"') :]
    roles = re.findall(r'<tr data-role="([\w-]+)">', section)
    assert roles == ["data-engineer", "ml-engineer"]  # 50.0 before 44.4
    assert "Data Engineer 50.0%" in text(section) and "ML Engineer 44.4%" in text(section)
    assert 'href="/progress/roles/data-engineer"' in section


def test_without_a_key_the_closest_role_is_explained(client, erin):
    html = client.get("/progress/roles").get_data(as_text=True)
    assert "<h1>Data Engineer</h1>" in html


@pytest.mark.parametrize("key", ["no-such-role", "retired"])
def test_a_role_that_is_not_live_is_not_found(client, erin, key):
    if key == "retired":
        role = db.session.scalar(db.select(TargetRole).where(TargetRole.key == "data-engineer"))
        role.archived_at = db.func.now()
        db.session.commit()
        key = "data-engineer"
    assert client.get(f"/progress/roles/{key}").status_code == 404


def test_roles_and_self_assessment_are_in_the_navigation_of_engineers_only(
    client, login_as, make_user, erin
):
    nav = client.get("/").get_data(as_text=True).split("</nav>")[0]
    assert 'href="/progress/roles"' in nav and 'href="/progress/self-assessment"' in nav
    ld = make_user(name="Lee Learning", roles=[Role.LD])
    nav = login_as(ld).get("/").get_data(as_text=True).split("</nav>")[0]
    assert "/progress/roles" not in nav and "/progress/self-assessment" not in nav
    assert login_as(ld).get("/progress/roles").status_code == 403


def test_the_role_page_costs_the_same_statements_with_more_evidence(client, erin, count_statements):
    client.get("/progress/roles/ml-engineer")  # the catalogue is read once and kept
    with count_statements() as few:
        assert client.get("/progress/roles/ml-engineer").status_code == 200
    for days in range(1, 40):
        add_evidence(erin, "pipelines-101", days, kind=EvidenceKind.COMPLETION)
        add_evidence(erin, "mlcc-classification", days)
    with count_statements() as many:
        assert client.get("/progress/roles/ml-engineer").status_code == 200
    assert many.count == few.count, (few.statements, many.statements)
