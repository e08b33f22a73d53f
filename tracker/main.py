"""The home page: one section for each role the person holds."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from tracker.clock import today
from tracker.reads import home as overviews

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def home() -> str:
    """Show each role's overview, with empty states that say what to do next."""
    user = current_user._get_current_object()
    return render_template("main/home.html", overview=overviews.overview_for(user, today()))


@bp.get("/how-readiness-works")
@login_required
def how_readiness_works() -> str:
    """Explain, in plain words, how readiness is computed."""
    return render_template("main/how_readiness_works.html")
