"""Managers' pages: the verification queue of their teams' evidence."""

from flask import Blueprint

bp = Blueprint("team", __name__, url_prefix="/team")

from tracker.team import (  # noqa: E402,F401  (routes register on bp)
    assign,
    chart_views,
    company,
    dashboard,
    verify,
)
