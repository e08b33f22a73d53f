"""One engineer's levels per competency of a role: demonstrated, required and claimed."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, request
from flask_login import current_user, login_required

from tracker.access import can_see_engineer
from tracker.chart_response import MIMETYPES, chart_response
from tracker.charts import levels
from tracker.csv_export import csv_response
from tracker.engineer import bp
from tracker.extensions import db
from tracker.models import User
from tracker.progress import compute_progress
from tracker.queries import load_catalogue, load_people


@bp.get("/<int:user_id>/levels.<fmt>")
@login_required
def levels_chart(user_id: int, fmt: str) -> Response:
    """Demonstrated, required and claimed levels for a role (the engineer, their manager, L&D)."""
    engineer = db.session.get(User, user_id)
    if (
        engineer is None
        or not can_see_engineer(current_user, engineer)
        or fmt not in (*MIMETYPES, "csv")
    ):
        abort(404)
    catalogue = load_catalogue()
    progress = compute_progress(catalogue, load_people([user_id])[user_id], date.today())
    role_key = request.args.get("role") or (progress.roles[0].role if progress.roles else "")
    role = catalogue.roles.get(role_key)
    if role is None:
        abort(404)
    keys = [r.competency for r in role.requirements]
    rows = [
        [k, progress.levels.get(k, 0), r.level, progress.claims.get(k, 0)]
        for k, r in zip(keys, role.requirements, strict=True)
    ]
    title = f"{engineer.name}: {catalogue.names.get(role_key, role_key)}"
    if fmt == "csv":
        return csv_response(
            f"{engineer.name}-{role_key}.csv",
            ["competency", "demonstrated", "required", "claimed"],
            rows,
        )
    names = [catalogue.names.get(k, k) for k in keys]
    return chart_response(
        fmt,
        (title, rows),
        lambda: levels(
            names, [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows], title
        ),
    )
