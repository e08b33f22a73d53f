"""Change the catalogue's version token in the same transaction as every catalogue change.

Every ORM flush that adds, changes or deletes a catalogue row gives `catalogue_version` a new
random token (`_bump_after_flush`, registered on import), and so does every insert, update or
delete statement on a catalogue table sent through a session (`_bump_on_statement`). Writers
that load catalogue rows below the ORM (a data import) call `bump()` themselves. Readers keep
the catalogue they read while the token stays the same (`load_catalogue` in tracker.reads).
Both hooks also note the change in the session (`CHANGED`), for `tracker.operations.steps`.
"""

from __future__ import annotations

import uuid
from itertools import chain

from sqlalchemy import Connection, event, insert, update
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from tracker.models import (
    CatalogueVersion,
    Competency,
    LearningPath,
    Module,
    ModuleOutcome,
    PathModule,
    PathPrerequisite,
    RoleRequirement,
    TargetRole,
)

CHANGED = "tracker.catalogue.changed"  # set in session.info by a catalogue change

CATALOGUE = (
    Competency,
    TargetRole,
    RoleRequirement,
    Module,
    ModuleOutcome,
    LearningPath,
    PathModule,
    PathPrerequisite,
)


def bump(connection: Connection) -> None:
    """Give the catalogue a new version token."""
    token = uuid.uuid4().hex
    changed = connection.execute(
        update(CatalogueVersion).where(CatalogueVersion.id == 1).values(token=token)
    )
    if changed.rowcount == 0:
        connection.execute(insert(CatalogueVersion).values(id=1, token=token))


@event.listens_for(Session, "after_flush")
def _bump_after_flush(session: Session, _context: UOWTransaction) -> None:
    """Bump the token when this flush added, changed or deleted any catalogue row."""
    if any(
        isinstance(item, CATALOGUE) for item in chain(session.new, session.dirty, session.deleted)
    ):
        bump(session.connection())
        session.info[CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _bump_on_statement(state: ORMExecuteState) -> None:
    """Bump the token for an insert, update or delete statement on a catalogue table."""
    writes = state.is_insert or state.is_update or state.is_delete
    if writes and state.bind_mapper is not None and state.bind_mapper.class_ in CATALOGUE:
        bump(state.session.connection())
        state.session.info[CHANGED] = True
