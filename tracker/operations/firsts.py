"""Keep `evidence_firsts` equal to what it is derived from, in the same transaction as the write.

`evidence_firsts` holds, per engineer, module, kind and counting status, the earliest date of
evidence that can count (see `EvidenceFirst`). Three ways keep it true:

- every ORM flush that adds, changes or deletes evidence recounts the rows of the engineers it
  touched, before the transaction commits (`_recount_after_flush`, registered on import), and
  so does every insert, update or delete of evidence sent through the session as a statement
  (`_recount_after_statement`: an insert's own engineers, everyone for the others);
- writers that insert evidence below the ORM (the demo seed, a data import) call
  `recount_for()` themselves, for the engineers they wrote or for everyone (it also has their
  readiness steps computed again before the commit, `tracker.operations.steps`);
- `flask figures rebuild` recounts everyone, and `differences()` says where the table and a
  recount from evidence disagree (the tests check it after every test).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date
from itertools import chain
from typing import Any

from sqlalchemy import Connection, Result, Select, event, func, or_, select
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from tracker.models import Evidence, EvidenceFirst, EvidenceKind, EvidenceStatus
from tracker.operations import pending_tallies, steps, team_versions
from tracker.operations.per_person import recount_rows
from tracker.readiness import COUNTING_STATUSES


def earliest(
    user_ids: Collection[int] | None = None,
) -> Select[int, int, EvidenceKind, EvidenceStatus, date]:
    """Return the select of the rows `evidence_firsts` should hold (for these people, or all)."""
    query = select(
        Evidence.user_id,
        Evidence.module_id,
        Evidence.kind,
        Evidence.status,
        func.min(Evidence.date),
    ).where(
        Evidence.status.in_([EvidenceStatus(value) for value in COUNTING_STATUSES]),
        or_(Evidence.kind == EvidenceKind.COMPLETION, Evidence.passed.is_(True)),
    )
    if user_ids is not None:
        query = query.where(Evidence.user_id.in_(list(user_ids)))
    return query.group_by(Evidence.user_id, Evidence.module_id, Evidence.kind, Evidence.status)


def recount(connection: Connection, user_ids: Iterable[int] | None = None) -> None:
    """Recount the rows of these people (everyone when None) from their evidence."""
    columns = ["user_id", "module_id", "kind", "status", "first_on"]
    recount_rows(connection, EvidenceFirst, columns, earliest, user_ids)


def recount_for(session: Session, user_ids: Iterable[int] | None = None) -> None:
    """Recount these people's rows (everyone's when None); what else follows their evidence too.

    Their readiness steps and pending tallies are counted again on commit, and their teams'
    figures get a new token (`tracker.operations.team_versions`).
    """
    people = None if user_ids is None else set(user_ids)
    recount(session.connection(), people)
    steps.mark(session, people)
    pending_tallies.mark(session, people)
    team_versions.mark_people(session, people)


def differences(connection: Connection) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """Return (rows the table lacks, rows it should not hold) against a recount from evidence."""
    stored = set(
        map(
            tuple,
            connection.execute(
                select(
                    EvidenceFirst.user_id,
                    EvidenceFirst.module_id,
                    EvidenceFirst.kind,
                    EvidenceFirst.status,
                    EvidenceFirst.first_on,
                )
            ),
        )
    )
    expected = set(map(tuple, connection.execute(earliest())))
    return expected - stored, stored - expected


@event.listens_for(Session, "after_flush")
def _recount_after_flush(session: Session, _context: UOWTransaction) -> None:
    """Recount the engineers whose evidence this flush added, changed or deleted."""
    touched = {
        item.user_id
        for item in chain(session.new, session.dirty, session.deleted)
        if isinstance(item, Evidence) and item.user_id is not None
    }
    if touched:
        recount_for(session, touched)


@event.listens_for(Session, "do_orm_execute")
def _recount_after_statement(state: ORMExecuteState) -> Result[Any] | None:
    """Recount after an insert, update or delete statement on evidence sent through a session."""
    writes = state.is_insert or state.is_update or state.is_delete
    if not writes or state.bind_mapper is None or state.bind_mapper.class_ is not Evidence:
        return None
    result = state.invoke_statement()
    people: set[int] | None = None  # everyone, unless the inserted rows name their engineers
    if state.is_insert:
        given = state.parameters
        rows = [given] if isinstance(given, Mapping) else list(given or [])
        if rows and all("user_id" in row for row in rows):
            people = {row["user_id"] for row in rows}
    recount_for(state.session, people)
    return result
