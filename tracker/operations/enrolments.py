"""Writes for learning paths: enrol, assign (or re-date an assignment), leave."""

from __future__ import annotations

import enum
from datetime import date

from tracker import audit
from tracker.extensions import db
from tracker.models import Enrolment, LearningPath, Notification, User, utcnow
from tracker.operations.errors import RecordError


class AlreadyEnrolled(RecordError):
    """The engineer is already on this path."""


class Assigned(enum.Enum):
    """What an assignment did for one engineer."""

    ADDED = "added"
    REDATED = "redated"  # already on the path; the new due date now applies
    UNCHANGED = "unchanged"  # already on the path with that due date


def _check(path: LearningPath, due_on: date | None, today: date) -> None:
    if path.archived_at is not None:
        raise RecordError({"path": "This path is archived."})
    if due_on is not None and due_on < today:
        raise RecordError({"due_on": "The due date cannot be in the past."})


def _current(engineer: User, path: LearningPath) -> Enrolment | None:
    current: Enrolment | None = db.session.scalar(
        db.select(Enrolment).where(Enrolment.user_id == engineer.id, Enrolment.path_id == path.id)
    )
    return current


def enrol(
    engineer: User, path: LearningPath, by: User, due_on: date | None, today: date
) -> Enrolment:
    """Put an engineer on a path (by themselves, or assigned with an optional due date)."""
    _check(path, due_on, today)
    current = _current(engineer, path)
    if current is not None and current.left_at is None:
        raise AlreadyEnrolled({"path": f"{engineer.name} is already on {path.name}."})
    assigned_by = by.id if by.id != engineer.id else None
    if current is None:
        current = Enrolment(user_id=engineer.id, path_id=path.id)
        db.session.add(current)
    current.left_at, current.assigned_by_id, current.due_on = None, assigned_by, due_on
    current.enrolled_at = utcnow()
    db.session.flush()
    if assigned_by:
        due = f", due {due_on.isoformat()}" if due_on else ""
        _tell(engineer.id, f"{by.name} assigned you the path {path.name}{due}.")
    audit.record(
        "enrolment.added",
        f"{engineer.email} {path.key}",
        f"assigned by {by.email}" if assigned_by else "self",
        actor=by,
    )
    return current


def assign(
    engineer: User, path: LearningPath, by: User, due_on: date | None, today: date
) -> Assigned:
    """Assign a path: enrol, or for someone already on it, apply the new due date."""
    _check(path, due_on, today)
    current = _current(engineer, path)
    if current is None or current.left_at is not None:
        enrol(engineer, path, by, due_on, today)
        return Assigned.ADDED
    if due_on is None or current.due_on == due_on:
        return Assigned.UNCHANGED
    current.due_on, current.assigned_by_id = due_on, by.id
    db.session.flush()
    _tell(
        engineer.id, f"{by.name} set the due date of your path {path.name} to {due_on.isoformat()}."
    )
    audit.record(
        "enrolment.redated", f"{engineer.email} {path.key}", f"due {due_on.isoformat()}", actor=by
    )
    return Assigned.REDATED


def leave(enrolment: Enrolment, by: User) -> None:
    """Take an engineer off a path; the enrolment and all evidence stay.

    Whoever assigned the path is told when someone else takes the engineer off it.
    """
    enrolment.left_at = utcnow()
    assigner = enrolment.assigned_by_id
    if assigner is not None and assigner != by.id:
        path = db.session.get_one(LearningPath, enrolment.path_id)
        engineer = db.session.get_one(User, enrolment.user_id)
        did = "left" if by.id == engineer.id else f"was taken off by {by.name} from"
        _tell(assigner, f"{engineer.name} {did} the path {path.name} you assigned.")
    audit.record("enrolment.left", f"enrolment {enrolment.id}", actor=by)


def _tell(user_id: int, message: str) -> None:
    """Leave a notice for a person, shown on their home page until they mark it read."""
    db.session.add(Notification(user_id=user_id, message=message[:500]))
