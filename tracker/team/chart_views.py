"""Team charts as PNG, SVG or CSV: permission first, then a cache keyed by what they show."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, request
from flask_login import current_user

from tracker.access import can_see_team, role_required
from tracker.chart_response import MIMETYPES, chart_response
from tracker.csv_export import csv_response
from tracker.extensions import db
from tracker.models import Role, Team
from tracker.queries import Catalogue, load_catalogue
from tracker.team import bp
from tracker.team.chart_data import (
    ChartData,
    bands_by_role,
    competency_heatmap,
    ready_forecast,
    team_data_version,
    weekly_trend,
)
from tracker.team.readiness import team_readiness

CHARTS = ("bands", "trend", "heatmap", "forecast")


def chart_data(
    name: str, team: Team, role_key: str, as_of: date, catalogue: Catalogue | None = None
) -> ChartData:
    """Return the numbers of one team chart."""
    catalogue = catalogue or load_catalogue()
    if role_key not in catalogue.roles:
        abort(404)
    if name == "bands":
        return bands_by_role(team, catalogue, as_of)
    if name == "trend":
        return weekly_trend(team, catalogue, role_key, as_of)
    if name == "heatmap":
        return competency_heatmap(team, catalogue, role_key, as_of)
    result = team_readiness(team, role_key, as_of, catalogue)
    return ready_forecast(result, catalogue.names.get(role_key, role_key))


def _as_of() -> date:
    try:
        return min(date.fromisoformat(request.args.get("as_of", "")), date.today())
    except ValueError:
        return date.today()


@bp.get("/<int:team_id>/charts/<name>.<fmt>")
@role_required(Role.MANAGER, Role.LD)
def chart(team_id: int, name: str, fmt: str) -> Response:
    """A team chart (bands, trend, heatmap or forecast) as PNG, SVG, or its numbers as CSV."""
    team = db.session.get(Team, team_id)
    if (
        team is None
        or not can_see_team(current_user, team_id)
        or name not in CHARTS
        or fmt not in (*MIMETYPES, "csv")
    ):
        abort(404)
    as_of = _as_of()
    role_key = request.args.get("role", "")
    catalogue = load_catalogue()
    if fmt == "csv":
        data = chart_data(name, team, role_key, as_of, catalogue)
        return csv_response(f"{team.name}-{name}-{as_of.isoformat()}.csv", data.headers, data.rows)
    if role_key not in catalogue.roles:
        abort(404)
    version = team_data_version(team, catalogue, role_key)
    return chart_response(
        fmt,
        (name, role_key, as_of, version),
        lambda: chart_data(name, team, role_key, as_of, catalogue).draw(),
    )
