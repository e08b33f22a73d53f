"""Keep `module_stats` equal to the evidence it counts, in the same transaction as the write.

`module_stats` holds, per module and value of hours, how the module's evidence adds up (see
`ModuleStat`). It is kept by adding up what each write changes, never by counting again:

- an ORM flush adds each new piece of evidence, takes away each deleted one, and for a changed
  one takes away what it was and adds what it is (`_after_flush`; the columns counted keep their
  previous value for this, `active_history` in `Evidence`);
- an insert statement on evidence whose rows carry their values (the xAPI intake's bulk insert)
  adds each row (`_after_statement`);
- a statement that cannot say what it changed (an update or delete statement on evidence, an
  insert without its rows), or a writer below the ORM (`mark_all`), has the whole table counted
  again from the evidence.

The changes are summed in the session and written once, just before the transaction commits
(`_before_commit`), with an upsert, so concurrent writers add up instead of colliding.
`differences()` compares the table with a count from the evidence (the tests check it after
every test; `flask figures check` reports it).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from itertools import chain
from typing import Any

from sqlalchemy import Connection, case, cast, delete, event, func, insert, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.types import Integer

from tracker.models import Evidence, EvidenceKind, EvidenceStatus, ModuleStat
from tracker.operations.table_check import rows_differ

COUNTS = ("pieces", "completions", "attempts", "passed", "rejected", "decided")
_COUNTED = ("module_id", "hours", "kind", "passed", "status", "decided_at")
_REQUIRED = {"module_id", "kind", "status"}  # an inserted row without the others has them None
_DELTA = "tracker.module_stats.delta"  # session.info: {(module_id, hours_tenths): [6 counts]}
_ALL = "tracker.module_stats.all"  # session.info: count the whole table again

Key = tuple[int, int]


def hours_tenths(hours: Decimal | float | None) -> int:
    """Return the key of a value of hours: tenths of an hour, -1 for none."""
    return -1 if hours is None else int(round(Decimal(str(hours)) * 10))


def contribution(values: Mapping[str, Any]) -> tuple[Key, list[int]] | None:
    """Return what one piece of evidence adds to the table (None for withdrawn evidence)."""
    status = EvidenceStatus(values["status"])
    if status is EvidenceStatus.WITHDRAWN:
        return None
    kind = EvidenceKind(values["kind"])
    counts = [
        1,
        int(kind is EvidenceKind.COMPLETION),
        int(kind is EvidenceKind.ATTEMPT),
        int(values.get("passed") is True),
        int(status is EvidenceStatus.REJECTED),
        int(values.get("decided_at") is not None),
    ]
    return (values["module_id"], hours_tenths(values.get("hours"))), counts


def _add(session: Session, values: Mapping[str, Any] | None, sign: int) -> None:
    found = contribution(values) if values is not None else None
    if found is None:
        return
    key, counts = found
    total = session.info.setdefault(_DELTA, {}).setdefault(key, [0] * len(COUNTS))
    for i, n in enumerate(counts):
        total[i] += sign * n


def mark_all(session: Session) -> None:
    """Count the whole table again from the evidence before `session` commits."""
    session.info[_ALL] = True


def counted() -> Any:
    """Return the select of the rows the table should hold, counted from the evidence."""
    hours = case(
        (Evidence.hours.is_(None), -1), else_=cast(func.round(Evidence.hours * 10), Integer)
    )

    def how_many(when: Any) -> Any:
        return func.sum(case((when, 1), else_=0))

    return (
        select(
            Evidence.module_id,
            hours,
            func.count(),
            how_many(Evidence.kind == EvidenceKind.COMPLETION),
            how_many(Evidence.kind == EvidenceKind.ATTEMPT),
            how_many(Evidence.passed.is_(True)),
            how_many(Evidence.status == EvidenceStatus.REJECTED),
            how_many(Evidence.decided_at.is_not(None)),
        )
        .where(Evidence.status != EvidenceStatus.WITHDRAWN)
        .group_by(Evidence.module_id, hours)
    )


def recount(connection: Connection) -> None:
    """Count the whole table again from the evidence."""
    connection.execute(delete(ModuleStat))
    columns = ["module_id", "hours_tenths", *COUNTS]
    connection.execute(insert(ModuleStat).from_select(columns, counted()))


def differences(connection: Connection) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """Return (rows the table lacks, rows it should not hold) against a count from evidence."""
    columns = [ModuleStat.module_id, ModuleStat.hours_tenths]
    columns += [getattr(ModuleStat, name) for name in COUNTS]
    return rows_differ(connection, select(*columns), counted())


def _apply(connection: Connection, delta: dict[Key, list[int]]) -> None:
    rows = [
        {"module_id": key[0], "hours_tenths": key[1], **dict(zip(COUNTS, counts, strict=True))}
        for key, counts in sorted(delta.items())
        if any(counts)
    ]
    if not rows:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(ModuleStat)
    upsert = statement.on_conflict_do_update(
        index_elements=["module_id", "hours_tenths"],
        set_={name: getattr(ModuleStat, name) + statement.excluded[name] for name in COUNTS},
    )
    connection.execute(upsert, rows)
    if any(n < 0 for counts in delta.values() for n in counts):
        # a count taken down to nothing leaves no row (the table has a few hundred rows)
        connection.execute(delete(ModuleStat).where(ModuleStat.pieces == 0))


def _old_values(item: Evidence) -> dict[str, Any] | None:
    """Return the counted values `item` had before this flush (None when one is unknown)."""
    state = inspect(item)
    out = {}
    for name in _COUNTED:
        history = state.attrs[name].history
        if history.deleted:
            out[name] = history.deleted[0]
        elif history.unchanged:
            out[name] = history.unchanged[0]
        else:
            return None
    return out


def _values(item: Evidence) -> dict[str, Any]:
    return {name: getattr(item, name) for name in _COUNTED}


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: UOWTransaction) -> None:
    """Add up what this flush changed in evidence."""
    for item in session.new:
        if isinstance(item, Evidence):
            _add(session, _values(item), +1)
    for item in chain(session.dirty, session.deleted):
        if not isinstance(item, Evidence):
            continue
        deleted = item in session.deleted
        if not deleted and not session.is_modified(item, include_collections=False):
            continue
        old = _old_values(item)
        if old is None:
            mark_all(session)
            continue
        _add(session, old, -1)
        if not deleted:
            _add(session, _values(item), +1)


@event.listens_for(Session, "do_orm_execute")
def _after_statement(state: ORMExecuteState) -> Any:
    """Add up the rows of an insert statement on evidence; count everything again otherwise."""
    writes = state.is_insert or state.is_update or state.is_delete
    if not writes or state.bind_mapper is None or state.bind_mapper.class_ is not Evidence:
        return None
    given = state.parameters
    rows: list[Mapping[str, Any]] = [given] if isinstance(given, Mapping) else list(given or [])
    if state.is_insert and rows and all(set(row) >= _REQUIRED for row in rows):
        for row in rows:
            _add(state.session, row, +1)
    else:
        mark_all(state.session)
    return None


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    """Write the summed changes (or count everything again) just before the commit."""
    session.flush()  # commit flushes after this hook: the last changes must be summed first
    delta = session.info.pop(_DELTA, None)
    everything = session.info.pop(_ALL, False)
    if everything:
        recount(session.connection())
    elif delta:
        _apply(session.connection(), delta)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_DELTA, None)
    session.info.pop(_ALL, None)
