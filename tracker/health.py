"""GET /healthz: 200 when the database answers, 503 otherwise. No login."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from tracker.errors import rollback_quietly
from tracker.extensions import db, limiter

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
@limiter.exempt
def healthz() -> tuple[Response, int]:
    """Report whether the app can reach its database."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.exception("health check: database unreachable")
        rollback_quietly()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok"), 200
