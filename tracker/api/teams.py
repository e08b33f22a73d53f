"""A team's readiness for a role over the API (its managers, L&D)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, current_app
from flask_smorest import Blueprint, abort
from marshmallow import RAISE, Schema, ValidationError, fields, validates

from tracker import policy
from tracker.api.auth import api_user
from tracker.api.inputs import Text
from tracker.api.responses import errors
from tracker.api.schemas import TeamReadinessSchema
from tracker.api.shapes import engineer_rows_json, team_readiness_json
from tracker.clock import today
from tracker.extensions import cache, db
from tracker.models import Team
from tracker.reads.catalogue import load_catalogue
from tracker.reads.team import team_readiness
from tracker.reads.versions import figure_key, team_state
from tracker.routing import MAX_ID

bp = Blueprint(
    "api_teams",
    __name__,
    url_prefix="/api/v1",
    description="Teams' readiness, forecasts and staffing targets.",
)


class TeamReadinessArgs(Schema):
    role = Text(required=True, metadata={"description": "A target role key."})
    as_of = fields.Date(load_default=None)

    @validates("as_of")
    def not_in_the_future(self, value: date | None, **_: object) -> None:
        if value is not None and value > today():
            raise ValidationError("cannot be in the future")


@bp.route(f"/teams/<int(max={MAX_ID}):team_id>/readiness")
@bp.arguments(TeamReadinessArgs, location="query", unknown=RAISE)
@bp.response(200, TeamReadinessSchema)
@errors(bp, {404: "No team with this id that the caller may see."})
def readiness_of_team(args: dict[str, Any], team_id: int) -> Response:
    """A team's readiness for a role (its managers, L&D).

    Per engineer: readiness, band and projected ready date; totals per band; and each staffing
    target with the engineers projected ready by its date and the gap to hire or move.
    """
    state = team_state(team_id)
    if state is None or not policy.may_see_team(api_user(), team_id):
        abort(404, message=f"There is no team {team_id} you can see.")
    catalogue = load_catalogue(state.catalogue)
    if args["role"] not in catalogue.roles:
        abort(
            422,
            message="The request has invalid fields.",
            errors={"role": f"unknown role {args['role']!r}"},
        )
    as_of = args["as_of"] or today()
    # kept under a key that changes with anything the answer shows (the team's figures token,
    # the catalogue, the role, the day): the same for every caller who may see the team
    key = "team-api:" + figure_key("team-api", catalogue, args["role"], as_of, "api", team=state)
    body = cache.get(key)
    if body is None:
        result = team_readiness(db.session.get_one(Team, team_id), args["role"], as_of, catalogue)
        answer = TeamReadinessSchema().dump(team_readiness_json(result))
        answer["engineers"] = engineer_rows_json(result)
        body = current_app.json.dumps(answer)
        cache.set(key, body)
    return Response(body, mimetype="application/json")
