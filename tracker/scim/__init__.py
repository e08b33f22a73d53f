"""SCIM 2.0 provisioning (RFC 7643/7644) under /scim/v2: a company's directory keeps people
and teams in step. `Users` are people (userName is the email), `Groups` are teams.

A bearer token of an integration holding the `scim` scope; every answer is
`application/scim+json`; errors are SCIM error documents. Parsing and serialising go through
scim2-models; writes go through the operations the admin pages use.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from tracker.extensions import csrf

bp = Blueprint("scim", __name__, url_prefix="/scim/v2")


def init_app(app: Flask) -> None:
    """Mount the SCIM service; clients authenticate with a token, never a cookie, so no CSRF."""
    from tracker.scim import auth, discovery, groups, users  # noqa: F401  (routes register)

    csrf.exempt(bp)
    app.register_blueprint(bp)
    auth.answer_unrouted(app)
