"""Keep `pending_tallies` equal to the pending evidence, in the same transaction as the write.

`pending_tallies` holds, per engineer (with their team now) and recorder, how many pieces of
their evidence wait for a decision (see `PendingTally`). The people whose rows change are
marked, and their rows counted again from the evidence just before the transaction commits
(`_count_before_commit`):

- by `tracker.operations.firsts.recount_for`, for the people whose evidence was written (every
  write to evidence, through the ORM, as a statement or below the ORM, goes through it);
- by every ORM flush that moves a person to another team (`_mark_after_flush`);
- by every insert, update or delete statement on people sent through a session: everyone
  (`_mark_on_statement`).

`differences()` compares the table with a count from the evidence (the tests check it after
every test; `flask figures check` reports it, `flask figures rebuild` counts it again).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import Connection, Select, event, func, select
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from tracker.models import Evidence, EvidenceStatus, PendingTally, User
from tracker.operations.flush_history import changed
from tracker.operations.per_person import recount_rows

_PEOPLE = "tracker.pending_tallies.people"  # session.info: ids of people to count again
_EVERYONE = "tracker.pending_tallies.everyone"  # session.info: count everyone again
_COLUMNS = ["user_id", "recorded_by_id", "team_id", "pieces"]


def mark(session: Session, user_ids: Iterable[int] | None) -> None:
    """Count these people's rows (everyone's when None) again before the commit."""
    if user_ids is None:
        session.info[_EVERYONE] = True
    else:
        session.info.setdefault(_PEOPLE, set()).update(user_ids)


def counted(
    user_ids: Collection[int] | None = None,
) -> Select[int, int | None, int | None, int]:
    """Return the select of the rows the table should hold (for these people, or all)."""
    query = (
        select(Evidence.user_id, Evidence.recorded_by_id, User.team_id, func.count())
        .join(User, User.id == Evidence.user_id)
        .where(Evidence.status == EvidenceStatus.PENDING)
    )
    if user_ids is not None:
        query = query.where(Evidence.user_id.in_(list(user_ids)))
    return query.group_by(Evidence.user_id, Evidence.recorded_by_id, User.team_id)


def recount(connection: Connection, user_ids: Iterable[int] | None = None) -> None:
    """Count the rows of these people (everyone when None) again from their evidence."""
    recount_rows(connection, PendingTally, _COLUMNS, counted, user_ids)


def differences(connection: Connection) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """Return (rows the table lacks, rows it should not hold) against a count from evidence.

    Two rows of one engineer and recorder would be a difference too: they are added up first.
    """
    stored = connection.execute(
        select(
            PendingTally.user_id,
            PendingTally.recorded_by_id,
            PendingTally.team_id,
            func.sum(PendingTally.pieces),
        ).group_by(PendingTally.user_id, PendingTally.recorded_by_id, PendingTally.team_id)
    )
    rows = connection.execute(select(func.count()).select_from(PendingTally)).scalar_one()
    kept: set[tuple[Any, ...]] = {tuple(row) for row in stored}
    expected = {tuple(row) for row in connection.execute(counted())}
    if rows != len(kept):  # the same engineer and recorder on two rows
        kept.add(("duplicate rows", rows - len(kept)))
    return expected - kept, kept - expected


@event.listens_for(Session, "after_flush")
def _mark_after_flush(session: Session, _context: UOWTransaction) -> None:
    """Mark the people this flush moved to another team."""
    moved = [i.id for i in session.dirty if isinstance(i, User) and changed(i, ("team_id",))]
    if moved:
        mark(session, moved)


@event.listens_for(Session, "do_orm_execute")
def _mark_on_statement(state: ORMExecuteState) -> None:
    """Mark everyone for an insert, update or delete statement on people."""
    writes = state.is_insert or state.is_update or state.is_delete
    if writes and state.bind_mapper is not None and state.bind_mapper.class_ is User:
        mark(state.session, None)


@event.listens_for(Session, "before_commit")
def _count_before_commit(session: Session) -> None:
    """Count the marked people's rows again, just before the commit."""
    session.flush()  # commit flushes after this hook: the last changes must be marked first
    people = session.info.pop(_PEOPLE, set())
    if session.info.pop(_EVERYONE, False):
        recount(session.connection())
    elif people:
        recount(session.connection(), people)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    for key in (_PEOPLE, _EVERYONE):
        session.info.pop(key, None)
