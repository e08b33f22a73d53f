"""Managers' and L&D's pages: team dashboards, charts, engineers, the queue, assignments."""

from flask import Blueprint

bp = Blueprint("team", __name__, url_prefix="/team")

from tracker.team import (  # noqa: E402,F401  (routes register on bp)
    assign,
    chart_views,
    company,
    dashboard,
    engineer,
    verify,
)
