"""Administration: people, teams, roster import, integration accounts and the audit trail."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from tracker.admin import (  # noqa: E402,F401  (routes on bp)
    integration_views,
    roster_views,
    team_views,
    views,
)
