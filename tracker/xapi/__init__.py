"""The xAPI statement intake (Experience API 1.0.3) under /xapi: learning platforms report
completions and results here, and they become evidence through the same operations as pages.

HTTP Basic authentication with an API token as the password; every request but /xapi/about
must say `X-Experience-API-Version: 1.0.x`, and every answer says which version it speaks.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from tracker.extensions import csrf

bp = Blueprint("xapi", __name__, url_prefix="/xapi")


def init_app(app: Flask) -> None:
    """Mount the intake; callers authenticate with a token, never a cookie, so no CSRF."""
    from tracker.xapi import auth, views  # noqa: F401  (routes and hooks register on import)

    csrf.exempt(bp)
    app.register_blueprint(bp)
