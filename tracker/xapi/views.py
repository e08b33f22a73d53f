"""The statement resource: POST a statement or a batch, PUT one by id, GET one by id; about."""

from __future__ import annotations

import json
import uuid
from typing import Any

from flask import Response, jsonify, request
from sqlalchemy.exc import IntegrityError

from tracker import policy
from tracker.clock import today
from tracker.extensions import db
from tracker.models import User
from tracker.operations.statements import Conflict, Received, Repeated, receive
from tracker.reads.statements import matches, stored
from tracker.xapi import bp
from tracker.xapi.auth import VERSION, Refused, sender
from tracker.xapi_statements import BadStatement, Statement, parse

MAX_BATCH = 5000


@bp.get("/about")
def about() -> Response:
    """The versions this intake speaks (open to all, as the specification says)."""
    return jsonify(version=[VERSION])


@bp.post("/statements")
def post_statements() -> Response:
    """Store one statement or a list; answer the list of their ids, in order."""
    body = _json_body()
    batch = body if isinstance(body, list) else [body]
    if not batch:
        raise Refused(400, "The list of statements is empty.")
    if len(batch) > MAX_BATCH:
        raise Refused(413, f"Send at most {MAX_BATCH} statements in one request.")
    received = _store([_parse(item, index, len(batch)) for index, item in enumerate(batch)])
    return jsonify(received.ids)


@bp.put("/statements")
def put_statement() -> Response:
    """Store one statement under the id given as `statementId`; 204 No Content."""
    statement_id = _statement_id()
    body = _json_body()
    if not isinstance(body, dict):
        raise Refused(400, "PUT takes one statement, a JSON object.")
    if "id" in body and str(body["id"]).lower() != statement_id:
        raise Refused(400, "The statement's id differs from the statementId parameter.")
    _store([_parse({**body, "id": statement_id}, 0, 1)])
    return Response(status=204)


@bp.get("/statements")
def get_statement() -> Response:
    """One stored statement by `statementId`, as received, with when it was stored."""
    statement_id = _statement_id()
    row = stored(statement_id)
    who = sender()
    if row is not None and isinstance(who, User):
        address = row.actor_email or ""
        subject = matches([address], []).people.get(address)
        if not policy.may_send_statement_about(who, subject):
            row = None  # an engineer reads their own statements only
    if row is None:
        raise Refused(404, f"No statement {statement_id} is stored here.")
    answer = json.loads(row.body) | {"id": row.id, "stored": row.received_at.isoformat()}
    return jsonify(answer)


def _json_body() -> Any:
    if not request.is_json:
        raise Refused(400, "Send the statements as JSON with Content-Type: application/json.")
    body = request.get_json(silent=True)
    if body is None:
        raise Refused(400, "The body is not valid JSON.")
    return body


def _statement_id() -> str:
    given = request.args.get("statementId", "")
    if not given:
        raise Refused(400, "Give statementId: this intake answers one statement at a time.")
    try:
        return str(uuid.UUID(given))
    except ValueError:
        raise Refused(400, "statementId must be a UUID.") from None


def _parse(item: Any, index: int, size: int) -> Statement:
    try:
        return parse(item)
    except BadStatement as error:
        where = f"Statement {index + 1} of {size}" if size > 1 else "The statement"
        raise Refused(400, f"{where} is not valid xAPI, so none was stored: {error}") from None


def _store(statements: list[Statement]) -> Received:
    """Check who the statements are about, then store them in one transaction."""
    who = sender()
    found = matches(
        {s.address for s in statements if s.address}, {s.activity for s in statements if s.activity}
    )
    for statement in statements:
        subject = found.people.get(statement.address or "")
        if not policy.may_send_statement_about(who, subject):
            raise Refused(403, "An engineer's token sends statements about that engineer only.")
    try:
        try:
            received = receive(statements, who, found, today())
        except IntegrityError:  # another request stored one of these ids first: look again
            db.session.rollback()
            received = receive(statements, who, found, today())
    except Conflict as error:
        db.session.rollback()
        raise Refused(409, str(error)) from None
    except Repeated as error:
        db.session.rollback()
        raise Refused(400, str(error)) from None
    db.session.commit()
    return received
