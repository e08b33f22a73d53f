"""Row locks that make two transactions recomputing the same derived rows take turns.

The derived tables are recomputed by deleting a person's (or a team's) rows and inserting them
again. On PostgreSQL two transactions doing that for the same person at once would both delete
the old rows and both insert new ones: the second insert fails on the primary key, or keeps
figures computed before the first committed. So the recomputation first locks the people's
(or teams') own rows, in id order, until the commit: a second transaction waits there, and then
reads what the first committed. `FOR NO KEY UPDATE` does not block inserting rows that refer
to the locked ones. SQLite lets one writer in at a time already.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, Select, select
from sqlalchemy.orm import InstrumentedAttribute


def lock(
    connection: Connection,
    key: InstrumentedAttribute[Any],
    ids: Collection[int] | Select[Any] | None,
) -> None:
    """Lock the rows whose `key` is one of `ids` (a select of them; every row when None) until
    the commit."""
    if connection.dialect.name != "postgresql":
        return
    query = select(key).order_by(key).with_for_update(key_share=True)
    if isinstance(ids, Select):
        query = query.where(key.in_(ids))
    elif ids is not None:
        query = query.where(key.in_(list(ids)))
    connection.execute(query).all()
