"""Team charts as PNG, SVG or CSV: permission first, then a cache keyed by what they show."""

from __future__ import annotations

from flask import Response, abort, request
from flask_login import current_user

from tracker import policy
from tracker.chart_response import MIMETYPES, chart_response
from tracker.csv_export import csv_response
from tracker.extensions import db
from tracker.models import Team
from tracker.policy import allowed_by
from tracker.query_args import as_of_arg
from tracker.reads.catalogue import load_catalogue
from tracker.reads.charts import TEAM_CHARTS, ChartData, team_chart
from tracker.reads.versions import figure_key, team_state
from tracker.team import bp


@bp.get("/<int:team_id>/charts/<name>.<fmt>")
@allowed_by(policy.may_see_teams)
def chart(team_id: int, name: str, fmt: str) -> Response:
    """A team chart (bands, trend, heatmap or forecast) as PNG, SVG, or its numbers as CSV.

    `size=narrow` draws the PNG or SVG for a phone's screen; the CSV has no size.
    """
    team = team_state(team_id)
    audience = policy.team_audience(current_user, team_id)
    if (
        team is None
        or audience is None
        or name not in TEAM_CHARTS
        or fmt not in (*MIMETYPES, "csv")
    ):
        abort(404)
    as_of = as_of_arg()
    role_key = request.args.get("role", "")
    catalogue = load_catalogue(team.catalogue)
    if role_key not in catalogue.roles:
        abort(404)

    def numbers() -> ChartData:
        return team_chart(name, db.session.get_one(Team, team_id), role_key, as_of, catalogue)

    if fmt == "csv":
        data = numbers()
        return csv_response(f"{team.name}-{name}-{as_of.isoformat()}.csv", data.headers, data.rows)
    key = figure_key(name, catalogue, role_key, as_of, audience, team=team)
    return chart_response(fmt, key, lambda layout: numbers().draw(layout))
