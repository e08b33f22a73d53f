"""GET /healthz: 200 when the database answers, 503 otherwise. No login.

"Answers" means a table can be read: `SELECT 1` alone succeeds on a SQLite file that has just
been created empty because the real one was moved away.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from sqlalchemy import literal
from sqlalchemy.exc import SQLAlchemyError

from tracker.errors import reconnect_next_time, rollback_quietly
from tracker.extensions import db, limiter
from tracker.models import User

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
@limiter.exempt
def healthz() -> tuple[Response, int]:
    """Report whether the app can reach its database."""
    try:
        db.session.execute(db.select(literal(1)).select_from(User).limit(1))
    except SQLAlchemyError:
        log.exception("health check: database unreachable")
        rollback_quietly()
        reconnect_next_time()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok"), 200
