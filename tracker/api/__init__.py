"""The JSON API under /api/v1: bearer tokens, the JSON error shape, an OpenAPI document.

Add a surface by writing a module with a `flask_smorest.Blueprint` (url_prefix "/api/v1...")
and listing it in `_blueprints()`. Every route then needs a bearer token (see `auth.py`),
is exempt from CSRF, and appears in /api/v1/openapi.json.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_smorest import Api, Blueprint

from tracker.api.responses import SharedErrors
from tracker.api.schemas import ErrorSchema
from tracker.extensions import csrf

BEARER_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "An API token from the 'API tokens' page or `flask tokens create`.",
}


class TrackerApi(Api):
    """flask-smorest's Api, minus its app-wide error handler; errors use tracker.errors."""

    ERROR_SCHEMA = ErrorSchema
    # Each operation lists the exact statuses it answers (see responses.py), not a catch-all.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        """Leave errors to tracker.errors: HTML pages for the site, the JSON shape for /api."""

    def _register_pagination_header(self) -> None:
        """Lists answer `{"items", "total"}` (see pagination.py), not smorest's page header."""


def _blueprints() -> tuple[Blueprint, ...]:
    """Return every blueprint of the API."""
    from tracker.api import catalogue, docs, enrolments, evidence, me, progress, teams

    return (docs.bp, me.bp, catalogue.bp, progress.bp, evidence.bp, enrolments.bp, teams.bp)


def register_blueprint(app: Flask, blueprint: Blueprint) -> None:
    """Mount an API blueprint: documented, token-authenticated, exempt from CSRF."""
    api: TrackerApi = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    api.register_blueprint(blueprint)
    # Callers authenticate with a bearer token, never a cookie: there is no session to forge.
    csrf.exempt(blueprint)


def _no_store(response: Response) -> Response:
    """Keep API answers (private to the caller) out of every cache."""
    if request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    """Mount the API, its token check, and the API tokens page."""
    from tracker import tokens
    from tracker.api import auth

    api = TrackerApi(
        spec_kwargs={"security": [{"bearerAuth": []}], "extra_plugins": [SharedErrors()]}
    )
    api.init_app(app)
    api.spec.components.security_scheme("bearerAuth", BEARER_SCHEME)
    app.before_request(auth.authenticate_request)
    app.after_request(_no_store)
    for blueprint in _blueprints():
        register_blueprint(app, blueprint)
    app.register_blueprint(tokens.bp)
