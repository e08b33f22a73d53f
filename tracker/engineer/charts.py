"""One engineer's levels per competency of a role: demonstrated, required and claimed."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, request
from flask_login import current_user, login_required

from tracker import policy
from tracker.chart_response import MIMETYPES, chart_response
from tracker.csv_export import csv_response
from tracker.engineer import bp
from tracker.query_args import as_of_arg
from tracker.reads.catalogue import Catalogue, load_catalogue
from tracker.reads.charts import engineer_levels
from tracker.reads.progress import progress_of
from tracker.reads.versions import figure_key, person


def _closest_role(user_id: int, as_of: date, catalogue: Catalogue) -> str:
    roles = progress_of(user_id, as_of, catalogue).roles
    return roles[0].role if roles else ""


@bp.get("/<int:user_id>/levels.<fmt>")
@login_required
def levels_chart(user_id: int, fmt: str) -> Response:
    """Demonstrated, required and claimed levels for a role as of a date (self, manager, L&D).

    `size=narrow` draws the PNG or SVG for a phone's screen; the CSV has no size.
    """
    engineer = policy.visible_engineer(current_user, user_id=user_id)
    if fmt not in (*MIMETYPES, "csv"):
        abort(404)
    catalogue = load_catalogue()
    as_of = as_of_arg()
    role_key = request.args.get("role") or _closest_role(user_id, as_of, catalogue)
    if role_key not in catalogue.roles:
        abort(404)
    if fmt == "csv":
        data = engineer_levels(
            progress_of(user_id, as_of, catalogue), catalogue, role_key, engineer.name
        )
        return csv_response(
            f"{engineer.name}-{role_key}-{as_of.isoformat()}.csv", data.headers, data.rows
        )
    key = figure_key(
        "levels",
        catalogue,
        role_key,
        as_of,
        "self" if engineer.id == current_user.id else "other",
        members=[person(engineer)],
        engineer_id=engineer.id,
    )
    return chart_response(
        fmt,
        key,
        lambda layout: engineer_levels(
            progress_of(user_id, as_of, catalogue), catalogue, role_key, engineer.name
        ).draw(layout),
    )
