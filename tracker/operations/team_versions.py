"""Give a team a new figures token in the same transaction as every change its figures show.

A team figure (bands, trend, heatmap, forecast, the dashboard's numbers) shows the team's
name, its active engineers by name and email, their evidence as `evidence_firsts` holds it, and the
team's staffing targets; the catalogue has a token of its own. So the teams whose token
changes are marked:

- by every ORM flush that adds or deletes a person, a role link, a team or a staffing target,
  or changes a person's name, email, team or whether they are active, a team's name or a target
  (`_mark_after_flush`; a person's move marks both teams); a login, which changes other
  columns of a person, marks nothing;
- by every insert, update or delete statement on those tables sent through a session: every
  team (`_mark_on_statement`);
- by `tracker.operations.firsts.recount_for`, for the people whose evidence it recounted
  (`mark_people`: their teams; everyone's for a recount of everyone).

Just before the transaction commits (`_bump_before_commit`), the marked teams get one new
random token, written with an upsert so that two transactions changing one team both land.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from itertools import chain
from typing import Any

from sqlalchemy import Connection, Select, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from tracker.models import StaffingTarget, Team, TeamVersion, User, UserRole
from tracker.operations.flush_history import changed, now_and_before

_TEAMS = "tracker.team_versions.teams"  # session.info: ids of teams to give a new token
_PEOPLE = "tracker.team_versions.people"  # session.info: ids of people whose teams to mark
_EVERY_TEAM = "tracker.team_versions.all"  # session.info: give every team a new token
_SHOWN = {User: ("name", "email", "team_id", "active"), Team: ("name",)}  # what team figures show
_BATCH = 1_000  # ids per statement, well under every database's bound-parameter limit


def mark_people(session: Session, user_ids: Iterable[int] | None) -> None:
    """Give the teams of these people (every team when None) a new token before the commit."""
    if user_ids is None:
        session.info[_EVERY_TEAM] = True
    else:
        session.info.setdefault(_PEOPLE, set()).update(user_ids)


def _mark_teams(session: Session, team_ids: Iterable[int | None]) -> None:
    session.info.setdefault(_TEAMS, set()).update(t for t in team_ids if t is not None)


@event.listens_for(Session, "after_flush")
def _mark_after_flush(session: Session, _context: UOWTransaction) -> None:
    """Mark the teams whose figures this flush changed."""
    added_or_deleted = set(chain(session.new, session.deleted))
    for item in chain(session.new, session.dirty, session.deleted):
        if isinstance(item, UserRole):
            session.info.setdefault(_PEOPLE, set()).add(item.user_id)
        elif isinstance(item, StaffingTarget):
            _mark_teams(session, now_and_before(item, "team_id"))
        elif isinstance(item, (User, Team)) and (
            item in added_or_deleted or changed(item, _SHOWN[type(item)])
        ):
            team = "team_id" if isinstance(item, User) else "id"
            _mark_teams(session, now_and_before(item, team))


@event.listens_for(Session, "do_orm_execute")
def _mark_on_statement(state: ORMExecuteState) -> None:
    """Mark every team for an insert, update or delete statement on what team figures show."""
    writes = state.is_insert or state.is_update or state.is_delete
    shown = (User, UserRole, Team, StaffingTarget)
    if writes and state.bind_mapper is not None and state.bind_mapper.class_ in shown:
        state.session.info[_EVERY_TEAM] = True


def bump(connection: Connection, team_ids: Iterable[int] | None = None) -> None:
    """Give these teams (every team when None) one new token."""
    if team_ids is None:
        chosen = list(connection.scalars(select(Team.id)))
    else:
        chosen = _in_batches(connection, select(Team.id), Team.id, team_ids)
    token = uuid.uuid4().hex
    rows = [{"team_id": team_id, "token": token} for team_id in chosen]
    if not rows:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(TeamVersion)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["team_id"], set_={"token": statement.excluded.token}
        ),
        rows,
    )


def _in_batches(
    connection: Connection, query: Select[Any], column: Any, ids: Iterable[int]
) -> list[int]:
    """Return the non-null values `query` selects where `column` is one of `ids`."""
    wanted = sorted(set(ids))
    out: list[int] = []
    for start in range(0, len(wanted), _BATCH):
        batch = query.where(column.in_(wanted[start : start + _BATCH]))
        out += [value for value in connection.scalars(batch) if value is not None]
    return out


@event.listens_for(Session, "before_commit")
def _bump_before_commit(session: Session) -> None:
    """Give the marked teams a new token, just before the commit."""
    session.flush()  # commit flushes after this hook: the last changes must be marked first
    teams = session.info.pop(_TEAMS, set())
    people = session.info.pop(_PEOPLE, set())
    if session.info.pop(_EVERY_TEAM, False):
        bump(session.connection())
        return
    if people:
        connection = session.connection()
        teams.update(_in_batches(connection, select(User.team_id), User.id, people))
    if teams:
        bump(session.connection(), teams)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    for key in (_TEAMS, _PEOPLE, _EVERY_TEAM):
        session.info.pop(key, None)
