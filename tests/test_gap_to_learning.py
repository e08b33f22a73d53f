"""From a gap to learning in one click: course links, "Log it", and what logging changed."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.gap_fixtures import add_evidence, enrol, load_two_roles
from tracker.clock import today
from tracker.models import Role


def words(html: str) -> str:
    """The words a person reads in the page's <main>: tags dropped, whitespace collapsed."""
    main = html[html.index('<main id="content">') : html.index("</main>")]
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).strip())


def flash(html: str) -> str:
    (message,) = re.findall(r'<p class="flash flash-success">(.*?)</p>', html, re.S)
    return unescape(message)


@pytest.fixture
def erin(app, make_user, login_as):
    """On the path with the classification quiz passed: the next step is Pipelines."""
    load_two_roles()
    erin = make_user(name="Erin Engineer", roles=[Role.ENGINEER])
    add_evidence(erin, "mlcc-classification", 20)
    enrol(erin)
    return erin


def test_the_next_step_on_home_links_to_its_course_and_to_logging_it(client, login_as, erin):
    html = login_as(erin).get("/").get_data(as_text=True)
    assert "Continue where you left off" in html
    course = re.search(
        r'<a class="course" href="https://example.org/pipelines"([^>]*)>(.*?)</a>', html
    )
    assert course, "the next step links to its course"
    assert 'rel="noopener"' in course.group(1) and 'target="_blank"' in course.group(1)
    assert "Pipelines (course at example.org" in unescape(re.sub(r"<[^>]+>", "", course.group(2)))
    assert 'href="/progress/log?module=pipelines-101"' in html
    # each gap's module too: Data Engineer (closest) lacks pipelines, closed first by the path's
    gaps = html[html.index('<ul class="gaps">') :].split("</ul>")[0]
    assert 'href="https://example.org/pipelines"' in gaps
    assert 'href="/progress/log?module=pipelines-101"' in gaps


def test_log_it_opens_the_form_with_that_module_chosen(client, login_as, erin):
    html = login_as(erin).get("/progress/log?module=capstone").get_data(as_text=True)
    assert re.search(r'<option selected value="capstone">|<option value="capstone" selected>', html)


@pytest.mark.parametrize("key", ["no-such-module", "", "<script>"])
def test_an_unknown_module_in_the_link_is_ignored(client, login_as, erin, key):
    response = login_as(erin).get("/progress/log", query_string={"module": key})
    assert response.status_code == 200
    assert (
        "selected"
        not in response.get_data(as_text=True).split('name="module"')[1].split("</select>")[0]
    )


def test_logging_says_each_role_whose_readiness_changed(client, login_as, make_user, app):
    load_two_roles()
    omar = make_user(name="Omar Adams", roles=[Role.ENGINEER])
    response = login_as(omar).post(
        "/progress/log?module=mlcc-classification",
        data={
            "module": "mlcc-classification",
            "kind": "attempt",
            "on": today().isoformat(),
            "score": "90",
        },
        follow_redirects=True,
    )
    # Data Engineer: (1 + 0) / 2; ML Engineer: 2 * 2/3 of 3; the bigger change first
    assert flash(response.get_data(as_text=True)) == (
        "Logged. Readiness for Data Engineer: 0.0% → 50.0%; ML Engineer: 0.0% → 44.4%."
    )


def test_logging_what_waits_for_verification_says_nothing_changes_yet(client, login_as, erin):
    response = login_as(erin).post(
        "/progress/log",
        data={"module": "pipelines-101", "kind": "completion", "on": today().isoformat()},
        follow_redirects=True,
    )
    message = flash(response.get_data(as_text=True))
    assert "waiting for verification" in message and "does not change" in message
    assert "→" not in message


def test_logging_what_adds_no_level_says_so(client, login_as, erin):
    response = login_as(erin).post(
        "/progress/log",
        data={
            "module": "mlcc-classification",
            "kind": "attempt",
            "on": today().isoformat(),
            "score": "95",
        },
        follow_redirects=True,
    )
    assert "added no level you did not already have" in flash(response.get_data(as_text=True))


def test_the_evidence_page_links_each_module_to_its_course(client, login_as, erin):
    html = login_as(erin).get("/progress/evidence").get_data(as_text=True)
    assert 'href="https://example.org/course/classification"' in html
    assert 'href="/progress/log?module=mlcc-classification"' in html


def test_the_paths_page_links_the_next_step_and_each_role(client, login_as, erin):
    html = login_as(erin).get("/progress/paths").get_data(as_text=True)
    assert 'href="https://example.org/pipelines"' in html
    assert 'href="/progress/log?module=pipelines-101"' in html
    assert 'href="/progress/roles/ml-engineer"' in html


def test_a_managers_view_links_courses_but_offers_no_logging(
    client, login_as, make_user, make_team, erin
):
    morgan = make_user(name="Morgan Manager", roles=[Role.MANAGER])
    make_team(name="Payments", managers=[morgan], members=[erin])
    html = login_as(morgan).get(f"/team/engineers/{erin.id}").get_data(as_text=True)
    assert 'href="https://example.org/pipelines"' in html
    evidence = html[html.index('id="evidence"') :]  # the evidence table links its modules too
    assert 'href="https://example.org/course/classification"' in evidence
    assert "Log it" not in html and "/progress/log?module=" not in html
    text = words(html)
    assert "What stands between Erin Engineer and" in text
    assert not re.search(r"\byou(rs?)?\b", text, re.I), text
