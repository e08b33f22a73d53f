"""Bulk inserts without the ORM's unit of work, for rows built by the thousand."""

from __future__ import annotations

from operator import itemgetter

from sqlalchemy import Column, insert

from tracker.extensions import db


def write_rows(model: type, rows: list[dict]) -> None:
    """Insert rows in batches of one executemany each: no ORM, no per-row work in SQLAlchemy.

    Every column's bind processor runs once per distinct value (demo rows repeat dates,
    statuses and texts), then the driver gets plain tuples; any database SQLAlchemy speaks.
    """
    if not rows:
        return
    table = model.__table__  # type: ignore[attr-defined]
    keys = list(rows[0])
    connection = db.session.connection()
    compiled = insert(table).compile(
        dialect=connection.dialect, column_keys=keys, for_executemany=True
    )
    names = list(compiled.positiontup or []) if compiled.positional else list(compiled.params)
    convert = [table.c[name].type._cached_bind_processor(connection.dialect) for name in names]
    for start in range(0, len(rows), 10_000):
        batch = rows[start : start + 10_000]
        missing = {n: column_default(table.c[n]) for n in names if n not in rows[0]}
        batch = [row | missing for row in batch] if missing else batch
        values = list(zip(*map(itemgetter(*names), batch), strict=True))
        for i, process in enumerate(convert):
            if process is not None:  # once per distinct value, then a C-level lookup
                done = {value: process(value) for value in set(values[i])}
                values[i] = tuple(map(done.__getitem__, values[i]))
        params: list = list(zip(*values, strict=True))
        if not compiled.positional:
            params = [dict(zip(names, row, strict=True)) for row in params]
        connection.exec_driver_sql(compiled.string, params)


def column_default(column: Column) -> object:
    """The Python-side default of `column`, for a row that leaves it out."""
    default = column.default
    if default is None:
        return None
    return default.arg(None) if default.is_callable else default.arg  # type: ignore[attr-defined]
