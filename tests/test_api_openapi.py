"""The OpenAPI document: valid, open without a token, and describing every /api/v1 route."""

from __future__ import annotations

import re

import yaml
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from openapi_spec_validator import validate

from config import TestingConfig
from tests.api_world import build_world
from tests.catalogue_fixtures import SMALL
from tracker import clock, create_app

DOC = "/api/v1/openapi.json"
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def openapi_path(rule: str) -> str:
    """Return the OpenAPI form of a Flask rule: /teams/<int:team_id> -> /teams/{team_id}."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_the_document_is_valid_openapi_3_and_needs_no_token(client):
    response = client.get(DOC)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    validate(document)


def test_every_api_route_in_the_url_map_is_documented(app, client):
    """Walks app.url_map, so a route added later without documentation fails here."""
    paths = client.get(DOC).get_json()["paths"]
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        operations = paths.get(openapi_path(rule.rule), {})
        for method in sorted(rule.methods - IGNORED_METHODS):
            if method.lower() not in operations:
                missing.append(f"{method} {rule.rule}")
    assert not missing, f"API routes missing from the OpenAPI document: {missing}"
    assert "/api/v1/me" in paths and "/api/v1/tokens" in paths


def test_the_document_declares_the_bearer_scheme_for_every_route_but_itself(app, client):
    document = client.get(DOC).get_json()
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert document["security"] == [{"bearerAuth": []}]
    public = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        is_public = getattr(app.view_functions[rule.endpoint], "api_public", False)
        if is_public:
            public.add(rule.endpoint)
        for method in rule.methods - IGNORED_METHODS:
            operation = document["paths"][openapi_path(rule.rule)][method.lower()]
            # An open route says so with `security: []`; every other inherits bearerAuth.
            assert operation.get("security") == ([] if is_public else None), rule.rule
    assert public == {"api_docs.openapi_json"}


def operations(document):
    """Yield (method, path, operation) for every operation in the document."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":  # path-level parameters, not an operation
                yield method, path, operation


def test_errors_are_documented_in_the_api_error_shape(client):
    """Each operation lists the statuses it answers, errors in the one JSON error shape."""
    document = client.get(DOC).get_json()
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    body = document["components"]["schemas"]["ErrorBody"]
    assert set(body["properties"]) == {"code", "message", "fields"}
    responses = document["components"]["responses"]
    for method, path, operation in operations(document):
        where = f"{method} {path}"
        assert "default" not in operation["responses"], f"{where}: no catch-all, the statuses"
        for status, response in operation["responses"].items():
            response = (
                responses[response["$ref"].rsplit("/", 1)[1]] if "$ref" in response else response
            )
            schema = response["content"]["application/json"]["schema"]
            assert (schema == {"$ref": "#/components/schemas/Error"}) == (status >= "400"), where
        if operation.get("security") != []:
            assert "401" in operation["responses"], where
            assert "WWW-Authenticate" in operation["responses"]["401"]["headers"], where
            assert "Retry-After" in operation["responses"]["503"]["headers"], where
        if "requestBody" in operation:
            assert {"400", "413"} <= operation["responses"].keys(), where
        if operation.get("parameters") or "requestBody" in operation:
            assert "422" in operation["responses"], where


def test_every_fixed_shape_refuses_undeclared_fields(client):
    """An answer with a field the document does not declare fails validation (below)."""
    schemas = client.get(DOC).get_json()["components"]["schemas"]
    for name, schema in schemas.items():
        if schema.get("type") == "object" and "properties" in schema:
            assert schema.get("additionalProperties") is False, name


def test_the_paged_list_documents_limit_and_offset(client):
    operation = client.get(DOC).get_json()["paths"]["/api/v1/tokens"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert parameters["limit"]["in"] == "query"
    assert parameters["limit"]["schema"]["minimum"] == 1
    assert parameters["limit"]["schema"]["maximum"] == 200
    assert parameters["limit"]["schema"]["default"] == 50
    assert parameters["offset"]["schema"]["minimum"] == 0
    assert "422" in operation["responses"]


def test_the_openapi_path_translation():
    rule = "/api/v1/teams/<int:team_id>/readiness"
    assert openapi_path(rule) == "/api/v1/teams/{team_id}/readiness"
    assert openapi_path("/api/v1/paths/<key>") == "/api/v1/paths/{key}"
    bounded = "/api/v1/evidence/<int(max=2147483647):evidence_id>/verification"
    assert openapi_path(bounded) == "/api/v1/evidence/{evidence_id}/verification"


# Real answers against the document: one success and one error (at least) for every operation.

TODAY = clock.today()
SMALL_JSON = yaml.safe_load(SMALL)


def calls(world):
    """Return (caller, method, path template, url, json body, expected status) to send."""
    engineer, team, pending = world.engineer, world.team_id, world.pending_id
    progress = "/api/v1/engineers/{email}/progress"
    readiness = "/api/v1/teams/{team_id}/readiness"
    verification = "/api/v1/evidence/{evidence_id}/verification"
    done = {"engineer": engineer, "module": "pipelines-101", "completed_on": str(TODAY)}
    scored = {"engineer": engineer, "module": "mlcc-classification", "taken_on": str(TODAY)}
    out = [
        ("anonymous", "GET", DOC, DOC, None, 200),
        ("engineer", "GET", "/api/v1/me", "/api/v1/me", None, 200),
        ("anonymous", "GET", "/api/v1/me", "/api/v1/me", None, 401),
        ("manager", "GET", "/api/v1/tokens", "/api/v1/tokens", None, 200),
        ("revoked", "GET", "/api/v1/tokens", "/api/v1/tokens", None, 401),
        ("manager", "GET", "/api/v1/tokens", "/api/v1/tokens?limit=0", None, 422),
        ("engineer", "GET", "/api/v1/paths/{key}", "/api/v1/paths/swe-to-mle", None, 200),
        ("engineer", "GET", "/api/v1/paths/{key}", "/api/v1/paths/nowhere", None, 404),
        ("manager", "GET", progress, f"/api/v1/engineers/{engineer}/progress", None, 200),
        ("engineer", "GET", progress, "/api/v1/engineers/lead@corp.test/progress", None, 404),
        (
            "ld",
            "GET",
            progress,
            f"/api/v1/engineers/{engineer}/progress?as_of=2999-01-01",
            None,
            422,
        ),
        (
            "manager",
            "GET",
            readiness,
            f"/api/v1/teams/{team}/readiness?role=ml-engineer",
            None,
            200,
        ),
        (
            "engineer",
            "GET",
            readiness,
            f"/api/v1/teams/{team}/readiness?role=ml-engineer",
            None,
            404,
        ),
        ("ld", "GET", readiness, f"/api/v1/teams/{team}/readiness?role=nope", None, 422),
        ("ld", "PUT", "/api/v1/catalog", "/api/v1/catalog?dry_run=1", SMALL_JSON, 200),
        ("engineer", "PUT", "/api/v1/catalog", "/api/v1/catalog", SMALL_JSON, 403),
        ("ld", "PUT", "/api/v1/catalog", "/api/v1/catalog", {"version": 2}, 422),
        ("ld", "PUT", "/api/v1/catalog", "/api/v1/catalog", "[1, 2", 400),
        ("engineer", "POST", "/api/v1/completions", "/api/v1/completions", done, 201),
        ("ld", "POST", "/api/v1/completions", "/api/v1/completions", done, 403),
        (
            "engineer",
            "POST",
            "/api/v1/completions",
            "/api/v1/completions",
            {**done, "module": "x"},
            404,
        ),
        ("engineer", "POST", "/api/v1/completions", "/api/v1/completions", {"engineer": 1}, 422),
    ]
    attempts = "/api/v1/assessment-attempts"
    out += [
        ("engineer", "POST", attempts, attempts, {**scored, "score": 91}, 201),
        ("engineer", "POST", attempts, attempts, {**scored, "score": 101}, 422),
        (
            "manager",
            "POST",
            verification,
            f"/api/v1/evidence/{pending}/verification",
            {"decision": "verified"},
            200,
        ),
        (
            "engineer",
            "POST",
            verification,
            f"/api/v1/evidence/{pending}/verification",
            {"decision": "rejected"},
            403,
        ),
        (
            "manager",
            "POST",
            verification,
            f"/api/v1/evidence/{10**30}/verification",
            {"decision": "verified"},
            404,
        ),
        (
            "manager",
            "POST",
            verification,
            f"/api/v1/evidence/{pending}/verification",
            {"decision": "maybe"},
            422,
        ),
        (
            "ld",
            "POST",
            "/api/v1/enrolments",
            "/api/v1/enrolments",
            {"engineer": "e1@corp.test", "path": "swe-to-mle", "due_on": str(TODAY)},
            201,
        ),
        (
            "ld",
            "POST",
            "/api/v1/enrolments",
            "/api/v1/enrolments",
            {"engineer": engineer, "path": "swe-to-mle"},
            409,
        ),
        (
            "ld",
            "POST",
            "/api/v1/enrolments",
            "/api/v1/enrolments",
            {"engineer": engineer, "path": "nowhere"},
            404,
        ),
    ]
    for section in ("competencies", "roles", "modules", "paths"):
        url = f"/api/v1/{section}"
        out += [
            ("ld", "GET", url, url, None, 200),
            ("ld", "GET", url, url + "?limit=201", None, 422),
        ]
    return out


def answer_validator(document, schema):
    """Return a validator of answers against `schema`, resolving refs in `document`."""
    return OAS30Validator(
        {**schema, "components": document["components"]}, format_checker=oas30_format_checker
    )


def documented_schema(document, template, method, status):
    """Return the schema the document declares for this answer; fail when it declares none."""
    operation = document["paths"][template][method.lower()]
    response = operation["responses"].get(str(status))
    assert response is not None, f"{method} {template} answered {status}, not documented"
    if "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response["content"]["application/json"]["schema"]


def test_real_answers_match_the_document(app, client, scored_team, make_user):
    """Each operation answers a success and an error exactly as documented: no field more,
    none required missing, every type, enum and format as stated."""
    world = build_world(scored_team, make_user)
    document = client.get(DOC).get_json()
    seen: dict[tuple[str, str], set[int]] = {}
    for caller, method, template, url, body, status in calls(world):
        send = (
            {"data": body, "content_type": "application/json"}
            if isinstance(body, str)
            else {"json": body}
        )
        response = client.open(url, method=method, headers=world.headers[caller], **send)
        where = f"{caller} {method} {url}"
        assert response.status_code == status, (where, response.get_json())
        assert response.mimetype == "application/json", where
        schema = documented_schema(document, template, method, status)
        errors = [
            e.message for e in answer_validator(document, schema).iter_errors(response.get_json())
        ]
        assert not errors, (where, errors)
        seen.setdefault((method.lower(), template), set()).add(status)
    for method, path, _ in operations(document):
        statuses = seen.get((method, path), set())
        assert any(s < 300 for s in statuses), f"no success of {method} {path} checked"
        if path != DOC:  # the document itself answers nothing but 200
            assert any(s >= 400 for s in statuses), f"no error of {method} {path} checked"


def test_the_answer_check_catches_a_field_too_many_or_missing(app, client, scored_team, make_user):
    """The check above has teeth: an undeclared field, or a required one missing, fails it."""
    world = build_world(scored_team, make_user)
    document = client.get(DOC).get_json()
    answer = client.get("/api/v1/me", headers=world.headers["engineer"]).get_json()
    validator = answer_validator(document, documented_schema(document, "/api/v1/me", "GET", 200))
    assert validator.is_valid(answer)
    assert not validator.is_valid({**answer, "password_hash": "x"})
    assert not validator.is_valid({k: v for k, v in answer.items() if k != "roles"})
    assert not validator.is_valid({**answer, "roles": ["wizard"]})


def test_an_answer_while_the_database_is_away_matches_the_document(client, tmp_path):
    """Every route that looks its token up answers 503 as documented when the database is gone."""
    document = client.get(DOC).get_json()
    gone = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/no/such.db")
    response = gone.test_client().get("/api/v1/me", headers={"Authorization": "Bearer trk_x"})
    assert response.status_code == 503 and response.headers["Retry-After"].isdigit()
    schema = documented_schema(document, "/api/v1/me", "GET", 503)
    assert not list(answer_validator(document, schema).iter_errors(response.get_json()))
    assert response.get_json()["error"]["code"] == "unavailable"
