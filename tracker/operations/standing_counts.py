"""Keep `standing_counts` equal to a count of `readiness_steps`, in the same transaction.

`standing_counts` holds, per team, live role and readiness, how many active engineers stand
there on their last step (see `StandingCount`). A team's rows are counted again, from
`readiness_steps` and the people tables, whenever something they count may have changed:

- an ORM flush that adds or deletes a person or an engineer's role link, or changes a person's
  team or whether they are active, marks the teams concerned (a move marks both);
- an insert, update or delete statement on people, role links, teams or readiness steps sent
  through a session marks every team;
- `tracker.operations.steps` marks the people whose steps it computed (`mark_people`), or
  everyone when it computed everyone's (`mark_all`): a role added or archived changes the
  readiness rules, so every team is counted again then, for the live roles alone.

`settle`, which `tracker.operations.steps` calls last thing before the commit (after it has
computed the steps), counts the marked teams' rows again, and with them their `band_changes`
(the same people's steps, counted day by day), but for teams marked only because
`tracker.operations.steps` computed some of their people's steps: it kept their band changes
itself (`mark_people(..., bands_kept=True)`). It first locks those teams' rows, so
that two transactions recounting one team take turns and the later one counts what the earlier
one committed. `differences()` compares the table with a count (the tests check it after every
test; `flask figures check` reports it).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date
from itertools import chain
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    and_,
    delete,
    event,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, aliased

from tracker.models import ReadinessStep, Role, StandingCount, TargetRole, Team, User, UserRole
from tracker.models.readiness import LAST_STEP_UNTIL
from tracker.operations import band_changes
from tracker.operations.flush_history import changed, now_and_before
from tracker.operations.row_locks import lock
from tracker.operations.table_check import rows_differ

NO_STEPS = -1  # `tenths` of engineers without steps: readiness of no counting evidence
_TEAMS = "tracker.standing_counts.teams"  # session.info: ids of teams to count again
_PEOPLE = "tracker.standing_counts.people"  # session.info: ids of people whose teams to count
_BANDED = "tracker.standing_counts.banded"  # session.info: ids of people whose teams' band
# changes to count again too
_ALL = "tracker.standing_counts.all"  # session.info: count every team again
_COUNTED_USER = ("team_id", "active")  # what of a person the counts depend on
_COUNTED_TABLES = {"users", "user_roles", "teams", "readiness_steps"}
_BATCH = 500  # ids per statement, well under every database's bound-parameter limit
_COLUMNS = ["team_id", "role_id", "tenths", "engineers", "latest_on"]


def mark_people(session: Session, user_ids: Iterable[int], *, bands_kept: bool = False) -> None:
    """Count the teams of these people again before `session` commits.

    Their teams' `band_changes` too, unless the caller kept them already (`bands_kept`: as
    `tracker.operations.steps` does when it computes people's steps again).
    """
    ids = set(user_ids)
    session.info.setdefault(_PEOPLE, set()).update(ids)
    if not bands_kept:
        session.info.setdefault(_BANDED, set()).update(ids)


def marked_all(session: Session) -> bool:
    """Say whether every team will be counted again before `session` commits."""
    return bool(session.info.get(_ALL))


def mark_all(session: Session) -> None:
    """Count every team again before `session` commits."""
    session.info[_ALL] = True


def counted(
    team_ids: Iterable[int] | None = None,
) -> Select[int | None, int, int, int, date]:
    """Return the select of the rows the table should hold (for these teams, or all)."""
    last = aliased(ReadinessStep, name="last_step")
    query = (
        select(
            User.team_id,
            TargetRole.id,
            func.coalesce(last.tenths, literal(NO_STEPS, literal_execute=True)),
            func.count(),
            func.max(last.from_on),
        )
        .select_from(User)
        .join(TargetRole, TargetRole.archived_at.is_(None))
        .outerjoin(
            last,
            and_(
                last.user_id == User.id,
                last.role_id == TargetRole.id,
                last.until_on == LAST_STEP_UNTIL,
            ),
        )
        .where(
            User.team_id.is_not(None),
            User.active.is_(True),
            User.role_links.any(role=Role.ENGINEER),
        )
        .group_by(User.team_id, TargetRole.id, last.tenths)
    )
    if team_ids is not None:
        query = query.where(User.team_id.in_(list(team_ids)))
    return query


def recount(
    connection: Connection,
    team_ids: Iterable[int] | None = None,
    banded: Collection[int] | None = None,
) -> None:
    """Count these teams' rows (every team's when None) again, and their `band_changes`.

    With `banded`, the band changes of those of the teams alone.
    """
    if team_ids is None:
        lock(connection, Team.id, None)
        connection.execute(delete(StandingCount))
        connection.execute(insert(StandingCount).from_select(_COLUMNS, counted()))
        band_changes.recount(connection)
        return
    teams = sorted(set(team_ids))
    for start in range(0, len(teams), _BATCH):
        batch = teams[start : start + _BATCH]
        lock(connection, Team.id, batch)
        connection.execute(delete(StandingCount).where(StandingCount.team_id.in_(batch)))
        connection.execute(insert(StandingCount).from_select(_COLUMNS, counted(batch)))
        with_bands = batch if banded is None else [t for t in batch if t in banded]
        if with_bands:
            band_changes.recount(connection, with_bands)


def differences(connection: Connection) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """Return (rows the table lacks, rows it should not hold) against a count."""
    stored = select(*(getattr(StandingCount, c) for c in _COLUMNS))
    return rows_differ(connection, stored, counted())


def _teams_of(connection: Connection, people: set[int]) -> set[int]:
    wanted, out = sorted(people), set[int]()
    for start in range(0, len(wanted), _BATCH):
        batch = wanted[start : start + _BATCH]
        query = select(User.team_id).where(User.id.in_(batch), User.team_id.is_not(None))
        out.update(connection.scalars(query))
    return out


def settle(session: Session) -> None:
    """Count the marked teams again; called after this transaction's steps are computed."""
    teams: set[int] = session.info.pop(_TEAMS, set())
    people: set[int] = session.info.pop(_PEOPLE, set())
    banded: set[int] = session.info.pop(_BANDED, set())
    if session.info.pop(_ALL, False):
        recount(session.connection())
        return
    connection = session.connection()
    counted_teams = teams | _teams_of(connection, people)
    if counted_teams:
        recount(connection, counted_teams, teams | _teams_of(connection, banded))


@event.listens_for(Session, "after_flush")
def _mark_after_flush(session: Session, _context: UOWTransaction) -> None:
    """Mark the teams whose engineers or their steps this flush changed."""
    teams: set[int] = set()
    people: set[int] = set()
    added_or_deleted = set(chain(session.new, session.deleted))
    for item in chain(session.new, session.dirty, session.deleted):
        if isinstance(item, (UserRole, ReadinessStep)):
            people.add(item.user_id)
        elif isinstance(item, User) and (item in added_or_deleted or changed(item, _COUNTED_USER)):
            teams.update(t for t in now_and_before(item, "team_id") if t is not None)
    if teams:
        session.info.setdefault(_TEAMS, set()).update(teams)
    if people:
        mark_people(session, people)


@event.listens_for(Session, "do_orm_execute")
def _mark_on_statement(state: ORMExecuteState) -> None:
    """Mark every team for an insert, update or delete statement on what the table counts."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _COUNTED_TABLES:
        state.session.info[_ALL] = True


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    for key in (_TEAMS, _PEOPLE, _BANDED, _ALL):
        session.info.pop(key, None)
