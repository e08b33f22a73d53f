"""The engineer's own pages: log evidence, see and withdraw it, and every role explained."""

from flask import Blueprint

bp = Blueprint("engineer", __name__, url_prefix="/progress")

from tracker.engineer import charts, courses, paths, roles, views  # noqa: E402,F401  (routes register on bp)
