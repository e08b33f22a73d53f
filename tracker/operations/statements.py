"""Writes for xAPI: store statements as received and turn the ones that match into evidence;
map what matched nothing, applying the statements that waited for it.

Statements become evidence through the same builders as the pages and the API, so the same
rules hold (no future dates, archived modules refused, projects wait for verification).
Add and flush; never commit: a batch is one transaction, all or nothing.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, insert

from tracker import audit
from tracker.extensions import db
from tracker.models import (
    Evidence,
    Integration,
    Module,
    Outcome,
    User,
    XapiActivityLink,
    XapiActorLink,
    XapiStatement,
    utcnow,
)
from tracker.operations.errors import RecordError
from tracker.operations.evidence import (
    REPORTED_BY_PLATFORM,
    AttemptInput,
    CompletionInput,
    new_attempt,
    new_completion,
)
from tracker.reads.statements import Matches, matches
from tracker.xapi_statements import ATTEMPT_VERBS, COMPLETED, Statement, parse

SOURCE = REPORTED_BY_PLATFORM
NO_SCORE = "an attempt needs result.score (scaled, or raw and max)"


class Conflict(RecordError):
    """A statement id already stored with other content (409)."""


class Repeated(RecordError):
    """The same statement id twice in one batch (400)."""


@dataclass(frozen=True)
class Received:
    """The ids of a batch, in order, and how many were new, recorded and waiting."""

    ids: list[str]
    new: int
    recorded: int
    waiting: int


def receive(
    statements: Sequence[Statement], sender: User | Integration, found: Matches, today: date
) -> Received:
    """Store each new statement as received and record the evidence it carries.

    A statement already stored with the same content is a no-op; with other content the whole
    batch is refused (Conflict), as is a batch naming one id twice (Repeated).
    """
    ids = [s.id or str(uuid.uuid4()) for s in statements]
    if len(set(ids)) != len(ids):
        twice = next(i for i in ids if ids.count(i) > 1)
        raise Repeated({"id": f"Statement {twice} appears twice in the batch."})
    query = db.select(XapiStatement.id, XapiStatement.body).where(XapiStatement.id.in_(ids))
    stored = {statement_id: body for statement_id, body in db.session.execute(query)}
    for statement_id, statement in zip(ids, statements, strict=True):
        if statement_id in stored and stored[statement_id] != statement.canonical:
            raise Conflict(
                {"id": f"Statement {statement_id} is already stored with other content."}
            )
    fresh = [(i, s) for i, s in zip(ids, statements, strict=True) if i not in stored]
    made, rows = _insert(fresh, sender, found, today)
    recorded = sum(1 for r in rows if r["outcome"] is Outcome.RECORDED)
    waiting = sum(1 for r in rows if r["outcome"] is Outcome.UNMATCHED)
    name = sender.email if isinstance(sender, User) else f"integration {sender.name}"
    audit.record(
        "xapi.received",
        f"{len(ids)} statements from {name}",
        f"new={len(rows)} recorded={recorded} waiting={waiting} evidence={made}",
        actor=sender if isinstance(sender, User) else None,
    )
    return Received(ids, len(rows), recorded, waiting)


def _insert(
    fresh: Sequence[tuple[str, Statement]], sender: User | Integration, found: Matches, today: date
) -> tuple[int, list[dict[str, Any]]]:
    """Insert new statements and their evidence in two bulk statements; return both counts.

    Bulk inserts, not the unit of work: a batch of 1,000 is one round trip per table.
    """
    now = utcnow()
    by_user = sender.id if isinstance(sender, User) else None
    rows: list[dict[str, Any]] = []
    made: list[tuple[int, Evidence]] = []
    for statement_id, statement in fresh:
        outcome, reason, evidence = _evidence_of(statement, found, by_user, today)
        if evidence is not None:
            made.append((len(rows), evidence))
        rows.append(
            {
                "id": statement_id,
                "body": statement.canonical,
                "received_at": now,
                "received_from_id": by_user,
                "received_via_id": sender.id if isinstance(sender, Integration) else None,
                "actor_email": (statement.address or "")[:254] or None,
                "verb": statement.verb[:500],
                "activity": (statement.activity or "")[:500],
                "outcome": outcome,
                "reason": reason[:300],
                "evidence_id": None,
            }
        )
    if made:
        new_ids = db.session.scalars(
            insert(Evidence).returning(Evidence.id, sort_by_parameter_order=True),
            [_values(evidence, now) for _, evidence in made],
        ).all()
        for (index, _), evidence_id in zip(made, new_ids, strict=True):
            rows[index]["evidence_id"] = evidence_id
    if rows:
        db.session.execute(insert(XapiStatement), rows)
    return len(made), rows


def _values(evidence: Evidence, now: datetime) -> dict[str, Any]:
    """An unsaved row's column values, with the columns' defaults where it has none."""
    out = {}
    for column in Evidence.__table__.columns:
        if column.primary_key:
            continue
        value = getattr(evidence, column.key)
        if value is None and column.default is not None:
            value = now if column.default.is_callable else column.default.arg
        out[column.key] = value
    return out


def _apply(row: XapiStatement, statement: Statement, found: Matches, today: date) -> bool:
    """Decide again what a waiting row becomes; True when it now carries evidence."""
    outcome, reason, evidence = _evidence_of(statement, found, row.received_from_id, today)
    row.outcome, row.reason = outcome, reason[:300]
    if evidence is None:
        return False
    db.session.add(evidence)
    db.session.flush()
    row.evidence_id = evidence.id
    return True


def _evidence_of(
    statement: Statement, found: Matches, recorded_by_id: int | None, today: date
) -> tuple[Outcome, str, Evidence | None]:
    """What a statement becomes: evidence, a wait for a mapping, or a reason it is not recorded."""
    if statement.verb != COMPLETED and statement.verb not in ATTEMPT_VERBS:
        return Outcome.IGNORED, "the tracker records completed, passed, failed and scored", None
    if statement.address is None:
        return Outcome.NOT_RECORDED, "the actor is a group, not a person", None
    if statement.activity is None:
        return Outcome.NOT_RECORDED, "the object is not an activity", None
    person = found.people.get(statement.address)
    module = found.modules.get(statement.activity)
    unknown = [
        *(["unknown person"] if person is None else []),
        *([_unknown(statement.activity, found)] if module is None else []),
    ]
    if person is None or module is None:
        return Outcome.UNMATCHED, " and ".join(unknown), None
    on = statement.timestamp.date() if statement.timestamp else today
    notes = "Reported by a learning platform (xAPI)."
    try:
        if statement.verb == COMPLETED:
            entry = CompletionInput(on, hours=statement.hours, notes=notes)
            evidence = new_completion(person, module, entry, recorded_by_id, today, SOURCE)
        elif statement.score is None:
            return Outcome.NOT_RECORDED, statement.score_problem or NO_SCORE, None
        else:
            attempt = AttemptInput(on, statement.score, hours=statement.hours, notes=notes)
            evidence = new_attempt(person, module, attempt, recorded_by_id, today, SOURCE)
    except RecordError as error:
        return Outcome.NOT_RECORDED, str(error), None
    return Outcome.RECORDED, "", evidence


def _unknown(activity: str, found: Matches) -> str:
    if activity in found.ambiguous:
        return "activity shared by several modules"
    return "unknown activity"


def map_activity(activity: str, module: Module, by: User, today: date) -> int:
    """Map an activity id to a module and apply the statements that waited for it."""
    db.session.merge(XapiActivityLink(activity=activity, module_id=module.id, created_by_id=by.id))
    applied = _reapply(XapiStatement.activity == activity, today)
    audit.record("xapi.activity_mapped", activity, f"to {module.key}; applied {applied}", actor=by)
    return applied


def map_actor(address: str, person: User, by: User, today: date) -> int:
    """Map an actor's address to a person and apply the statements that waited for it."""
    db.session.merge(XapiActorLink(address=address, user_id=person.id, created_by_id=by.id))
    applied = _reapply(XapiStatement.actor_email == address, today)
    audit.record("xapi.actor_mapped", address, f"to {person.email}; applied {applied}", actor=by)
    return applied


def _reapply(which: ColumnElement[bool], today: date) -> int:
    """Try the waiting statements `which` selects again; return how many became evidence."""
    db.session.flush()
    waiting = db.select(XapiStatement).where(XapiStatement.outcome == Outcome.UNMATCHED, which)
    rows = list(db.session.scalars(waiting))
    if not rows:
        return 0
    statements = [parse(json.loads(row.body)) for row in rows]
    found = matches(
        {s.address for s in statements if s.address}, {s.activity for s in statements if s.activity}
    )
    return sum(
        _apply(row, statement, found, today)
        for row, statement in zip(rows, statements, strict=True)
    )
