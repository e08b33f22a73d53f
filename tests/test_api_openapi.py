"""The OpenAPI document: valid, open without a token, and describing every /api/v1 route."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

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


def test_errors_are_documented_in_the_api_error_shape(client):
    document = client.get(DOC).get_json()
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    body = document["components"]["schemas"]["ErrorBody"]
    assert set(body["properties"]) == {"code", "message", "fields"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":  # path-level parameters, not an operation
                continue
            assert "default" in operation["responses"], f"{method} {path}"
    default = document["components"]["responses"]["DEFAULT_ERROR"]
    assert default["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


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
