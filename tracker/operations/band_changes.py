"""Keep `band_changes` equal to a count of `readiness_steps`, in the same transaction.

`band_changes` holds, per team, live role, day and band, by how many the team's active
engineers in that band change on that day (see `BandChange`). It counts the same people and
steps as `standing_counts`, and is kept in two ways:

- when `tracker.operations.steps` computes some engineers' steps again (a write of their
  evidence), it takes their old steps' changes away and adds their new ones (`changes_of`
  before and after, the difference applied by `apply`): a few rows, whatever the team's size;
- whenever `standing_counts` counts a team again for any other reason (a person added, moved,
  made inactive or no longer an engineer, steps written by other means, a catalogue change), it
  counts the team's rows here again too (`recount`), after locking the team.

`differences()` compares the table with a count (the tests check it after every test; `flask
figures check` reports it). The band of a step's readiness is rule 4 (`tracker.readiness.band`)
written as a SQL CASE on its tenths from the same thresholds; `tests/test_standing_counts.py`
checks that the two agree on every readiness from 0 to 100.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    Select,
    SQLColumnExpression,
    String,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    not_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite

from tracker.models import BandChange, ReadinessStep, Role, TargetRole, User, UserRole
from tracker.models.readiness import LAST_STEP_UNTIL
from tracker.operations.table_check import rows_differ
from tracker.readiness import NEARLY_READY_FROM, READY_FROM, Band

FIRST_DAY = date.min  # the day engineers without steps are added on
NO_STEPS = "none"  # their band: that of no counting evidence, which depends on the role
_COLUMNS = ["team_id", "role_id", "day", "band", "engineers"]
Key = tuple[int, int, date, str]  # team, role, day, band


def band_of_tenths(tenths: SQLColumnExpression[int]) -> SQLColumnExpression[str]:
    """Return rule 4 (`tracker.readiness.band`) as SQL, on a readiness in tenths."""
    return case(
        (tenths >= READY_FROM * 10, literal(Band.READY.value, String)),
        (tenths >= NEARLY_READY_FROM * 10, literal(Band.NEARLY_READY.value, String)),
        (tenths > 0, literal(Band.IN_PROGRESS.value, String)),
        else_=literal(Band.NOT_STARTED.value, String),
    )


def counted(
    team_ids: Iterable[int] | None = None, user_ids: Iterable[int] | None = None
) -> Select[Any]:
    """Return the select of the rows the table should hold (for these teams, or all).

    With `user_ids`, the rows these people add to their teams' alone.
    """
    engineer = exists().where(UserRole.user_id == User.id, UserRole.role == Role.ENGINEER)
    people = [User.team_id.is_not(None), User.active.is_(True), engineer]
    if team_ids is not None:
        people.append(User.team_id.in_(list(team_ids)))
    if user_ids is not None:
        people.append(User.id.in_(list(user_ids)))
    step = ReadinessStep
    live = TargetRole.archived_at.is_(None)
    of_steps = (
        select(User.team_id, step.role_id, step.from_on, step.tenths)
        .select_from(User)
        .join(step, step.user_id == User.id)
        .join(TargetRole, and_(TargetRole.id == step.role_id, live))
        .where(*people)
    )
    banded = band_of_tenths(step.tenths)
    begins = of_steps.with_only_columns(
        User.team_id, step.role_id, step.from_on.label("day"), banded, literal(1, Integer)
    )
    ends = of_steps.with_only_columns(
        User.team_id, step.role_id, step.until_on, banded, literal(-1, Integer)
    ).where(step.until_on != LAST_STEP_UNTIL)
    has_steps = exists().where(step.user_id == User.id, step.role_id == TargetRole.id)
    without = (
        select(
            User.team_id,
            TargetRole.id,
            literal(FIRST_DAY),
            literal(NO_STEPS, String),
            literal(1, Integer),
        )
        .select_from(User)
        .join(TargetRole, live)
        .where(*people, not_(has_steps))
    )
    changes = union_all(begins, ends, without).subquery()
    team, role, day, band, one = changes.c
    return (
        select(team, role, day, band, func.sum(one))
        .group_by(team, role, day, band)
        .having(func.sum(one) != 0)
    )


def recount(connection: Connection, team_ids: Iterable[int] | None = None) -> None:
    """Count these teams' rows (every team's when None) again; the caller locked the teams."""
    if team_ids is None:
        connection.execute(delete(BandChange))
        connection.execute(insert(BandChange).from_select(_COLUMNS, counted()))
        return
    teams = list(team_ids)
    connection.execute(delete(BandChange).where(BandChange.team_id.in_(teams)))
    connection.execute(insert(BandChange).from_select(_COLUMNS, counted(teams)))


def changes_of(connection: Connection, user_ids: Collection[int]) -> dict[Key, int]:
    """Return the changes these people's steps add to their teams' rows now."""
    rows = connection.execute(counted(user_ids=user_ids))
    return {(team, role, day, band): n for team, role, day, band, n in rows}


def apply(connection: Connection, before: dict[Key, int], after: dict[Key, int]) -> None:
    """Apply to the table the difference `after` - `before` of some people's changes.

    The rows are written in key order (on PostgreSQL two writers then lock them in the same
    order), and a row taken down to no change is deleted.
    """
    delta = {key: after.get(key, 0) - before.get(key, 0) for key in before.keys() | after.keys()}
    changed = sorted((key, n) for key, n in delta.items() if n)
    if not changed:
        return
    rows = [dict(zip(_COLUMNS, (*key, n), strict=True)) for key, n in changed]
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(BandChange)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=_COLUMNS[:4],
            set_={"engineers": BandChange.engineers + statement.excluded.engineers},
        ),
        rows,
    )
    keys = tuple_(*(getattr(BandChange, c) for c in _COLUMNS[:4]))
    emptied = [key for key, _ in changed]
    connection.execute(delete(BandChange).where(keys.in_(emptied), BandChange.engineers == 0))


def differences(connection: Connection) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """Return (rows the table lacks, rows it should not hold) against a count."""
    stored = select(*(getattr(BandChange, c) for c in _COLUMNS))
    return rows_differ(connection, stored, counted())
