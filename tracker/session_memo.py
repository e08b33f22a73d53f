"""Answers a request asks for more than once, kept in the database session until it changes.

A page asks some questions several times (which teams the viewer manages: who may see the team,
in what audience, set its targets, what the navigation counts). `kept` reads the answer once and
keeps it in the session until the session writes anything (a flush or a write statement),
commits or rolls back; a request's session ends with the request.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from tracker.extensions import db

T = TypeVar("T")
_KEPT = "tracker.session_memo"  # session.info: {key: answer}


def keep(key: Hashable, answer: object) -> None:
    """Keep `answer` under `key` in the current session: read by a statement that asked more."""
    db.session.info.setdefault(_KEPT, {})[key] = answer


def kept(key: Hashable, compute: Callable[[], T]) -> T:
    """Return the answer kept under `key` in the current session, computed the first time."""
    answers: dict[Hashable, Any] = db.session.info.setdefault(_KEPT, {})
    if key not in answers:
        answers[key] = compute()
    return cast(T, answers[key])


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(session: Session, *_: object) -> None:
    session.info.pop(_KEPT, None)


@event.listens_for(Session, "do_orm_execute")
def _forget_on_write(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info.pop(_KEPT, None)
