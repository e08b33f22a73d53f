"""The caller's own records: who they are, and their API tokens."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import RAISE

from tracker import policy
from tracker.api.auth import api_user
from tracker.api.pagination import ListArgsSchema, list_schema, paginate
from tracker.api.schemas import MeSchema, TokenSchema
from tracker.extensions import db
from tracker.models import Role, Team
from tracker.reads.tokens import tokens_of

bp = Blueprint(
    "api_me", __name__, url_prefix="/api/v1", description="The caller and their API tokens."
)

TokenListSchema = list_schema(TokenSchema, "TokenListSchema")


@bp.route("/me")
@bp.response(200, MeSchema)
def me() -> dict[str, Any]:
    """Who the token acts for.

    The token's owner: email, name, roles, the team they belong to and the teams they manage.
    """
    user = api_user()
    team = db.session.get(Team, user.team_id) if user.team_id is not None else None
    query = db.select(Team).where(Team.id.in_(policy.managed_teams(user))).order_by(Team.name)
    manages = list(db.session.scalars(query))
    return {
        "email": user.email,
        "name": user.name,
        "roles": [role.value for role in Role if role in user.roles],
        "team": team,
        "manages": manages,
    }


@bp.route("/tokens")
@bp.arguments(ListArgsSchema, location="query", unknown=RAISE)
@bp.response(200, TokenListSchema)
def list_tokens(args: dict[str, int]) -> dict[str, Any]:
    """The caller's API tokens.

    Newest first, revoked ones included; a token's secret is never shown again.
    """
    return paginate(tokens_of(api_user()), args)
