"""Count a derived table's rows again for some people (or everyone) from what they derive from.

`evidence_firsts` and `pending_tallies` are both a select grouped by person: their rows for a
person are deleted and inserted again from that select, a batch of people at a time, each
batch's people locked first so two transactions recounting the same person take turns
(`tracker.operations.row_locks`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from sqlalchemy import Connection, delete, insert

from tracker.models import User
from tracker.operations.row_locks import lock

BATCH = 500  # people per statement, well under every database's bound-parameter limit


def recount_rows(
    connection: Connection,
    model: Any,
    columns: list[str],
    counted: Callable[[Collection[int] | None], Any],  # a Select of `columns`
    user_ids: Iterable[int] | None = None,
) -> None:
    """Replace `model`'s rows of these people (everyone's when None) by what `counted` selects.

    `counted(ids)` selects the rows of those people (of everyone for None), in `columns` order.
    """
    if user_ids is None:
        lock(connection, User.id, None)
        connection.execute(delete(model))
        connection.execute(insert(model).from_select(columns, counted(None)))
        return
    people = sorted(set(user_ids))
    for start in range(0, len(people), BATCH):
        batch = people[start : start + BATCH]
        lock(connection, User.id, batch)
        connection.execute(delete(model).where(model.user_id.in_(batch)))
        connection.execute(insert(model).from_select(columns, counted(batch)))
