"""Administration: people, teams, roster import and the audit trail."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from tracker.admin import roster_views, team_views, views  # noqa: E402,F401  (routes on bp)
