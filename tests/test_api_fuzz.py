"""Schemathesis over every API route, in process, with every kind of caller.

The schema is loaded from the app's own /api/v1/openapi.json. Whatever schemathesis sends
(boundary values of every parameter and body field, then random valid and invalid data), as
an engineer, a manager, L&D, an admin, with no token or with a revoked one: the API never
answers 5xx, refuses what the document calls invalid with 4xx, and every answer's status,
content type, headers and body are ones the document declares (SECURITY.md 19 and 32).
Bounded: derandomized, a handful of random examples per operation, one request per case.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config import TestingConfig
from tests.api_world import CALLERS, build_world
from tracker import clock, create_app
from tracker.extensions import db
from tracker.models import Evidence

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def isolated(app: Flask) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """Return `app` as a WSGI callable whose every request runs in an app context of its own.

    The `app` fixture keeps an app context pushed for the test; without this, each request
    would share it (and its database session and `g`) with the test and with each other.
    """

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return contextvars.Context().run(app.wsgi_app, environ, start_response)

    return wsgi


@pytest.fixture
def world(scored_team, make_user):
    return build_world(scored_team, make_user)


class Rota:
    """Deals the generated requests to the kinds of caller in turn.

    The same request always goes to the same caller, so Hypothesis replays a failure exactly.
    """

    def __init__(self) -> None:
        self.assigned: dict[str, str] = {}

    def caller_for(self, case: schemathesis.Case) -> str:
        request = repr((case.path_parameters, case.query, case.headers, case.body))
        return self.assigned.setdefault(request, CALLERS[len(self.assigned) % len(CALLERS)])


@pytest.fixture
def rota() -> Iterator[Rota]:
    """The rota of one operation; afterwards, every kind of caller has called it."""
    rota = Rota()
    yield rota
    assert set(rota.assigned.values()) == set(CALLERS), "too few requests for every caller"


# The document is code, not data: it is read once from an app of its own, and each case is sent
# to the test's `app` (on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set).
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
)


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_every_answer_as_documented(case, app, world, rota):
    """Boundary cases of every parameter and body (schemathesis' coverage phase) and a few
    random ones, valid and invalid, each sent by one kind of caller in turn."""
    response = case.call(app=isolated(app), headers=world.headers[rota.caller_for(case)])
    case.validate_response(response, checks=CHECKS)


# What the fuzzing found, pinned down: each answers 4xx naming the problem and changes nothing.

NUL = "a\x00b"  # PostgreSQL refuses NUL characters in text: once a server error


def _evidence_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Evidence)) or 0


def test_nul_characters_are_refused_by_field_never_a_server_error(client, world):
    lead, ld = world.headers["manager"], world.headers["ld"]
    today = str(clock.today())
    done = {"engineer": world.engineer, "module": "pipelines-101", "completed_on": today}
    before = _evidence_count()
    for headers, url, body, field in [
        (lead, "/api/v1/completions", {**done, "engineer": NUL}, "engineer"),
        (lead, "/api/v1/completions", {**done, "notes": NUL}, "notes"),
        (lead, "/api/v1/completions", {**done, "evidence_url": NUL}, "evidence_url"),
        (
            lead,
            f"/api/v1/evidence/{world.pending_id}/verification",
            {"decision": "verified", "reason": NUL},
            "reason",
        ),
        (ld, "/api/v1/enrolments", {"engineer": world.engineer, "path": NUL}, "path"),
    ]:
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == 422, (url, body)
        assert "NUL" in response.get_json()["error"]["fields"][field]
    role = client.get(f"/api/v1/teams/{world.team_id}/readiness?role=a%00b", headers=lead)
    assert role.status_code == 422 and "role" in role.get_json()["error"]["fields"]
    progress = client.get("/api/v1/engineers/a%00b/progress", headers=ld)
    assert progress.status_code == 404
    assert _evidence_count() == before


def test_the_catalogue_refuses_nul_text_null_required_fields_and_lists_that_are_not(client, world):
    ld = world.headers["ld"]
    named = {"key": "x-y", "name": NUL, "family": "data"}
    for body, field in [
        ({"version": 1, "competencies": [named]}, "competencies[0].name"),
        ({"version": 1, "roles": {}}, "roles"),
        ({"version": 1, "roles": [{"key": "r", "name": None, "family": "data"}]}, "roles[0]"),
        ({"version": 1, "roles": [{**named, "name": "R", "requires": {}}]}, "roles[0].requires"),
        (
            {"version": 1, "roles": [{**named, "name": "R", "requires": [{}]}]},
            "roles[0].requires[0]",
        ),
        (
            {"version": 1, "modules": [{"key": "m", "title": "M", "assessment": {}}]},
            "modules[0].assessment",
        ),
    ]:
        response = client.put("/api/v1/catalog", json=body, headers=ld)
        assert response.status_code == 422, body
        assert field in response.get_json()["error"]["fields"]
    assert client.get("/api/v1/competencies", headers=ld).get_json()["total"] == 2


@pytest.mark.parametrize(
    "method,url",
    [
        ("POST", "/api/v1/evidence/1000000000000000000000000000000/verification"),
        ("POST", "/api/v1/evidence/2147483648/verification"),
        ("GET", "/api/v1/teams/1000000000000000000000000000000/readiness?role=ml-engineer"),
    ],
)
def test_ids_beyond_the_database_integer_range_answer_404(client, world, method, url):
    """SECURITY.md 32: an id no database integer holds is no record, never a server error."""
    response = client.open(
        url, method=method, json={"decision": "verified"}, headers=world.headers["admin"]
    )
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
