"""Bulk inserts without the ORM's unit of work, for rows built by the thousand.

`write_rows` inserts rows (by COPY on PostgreSQL); `loading` wraps the first load of empty
tables, whose indexes and foreign keys are then built once, after the rows are in.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    ForeignKeyConstraint,
    Index,
    Table,
    insert,
    inspect,
    select,
)
from sqlalchemy.schema import AddConstraint, DropConstraint

from tracker.extensions import db

BATCH = 10_000  # rows converted (and, unless copied, sent) at a time
COPY_FROM = 100  # rows: below about this, the extra round trip of a COPY costs what it saves


@contextmanager
def loading(*models: type) -> Iterator[set[Table]]:
    """Fill these tables, building the indexes of those that start empty once, at the end.

    Yields the tables that were empty. Their plain (not unique) indexes are dropped, and on
    PostgreSQL their foreign keys too; on leaving they are made again: each index one sort,
    each key one join that checks every row at once, instead of upkeep and a trigger per row
    (for the demo's 5.4 million evidence rows, most of the server's time). Only for a first
    load: dropping them locks the tables, and on PostgreSQL those their keys refer to, until
    the commit. An error inside leaves them dropped until the transaction is rolled back, as
    any failed write must be.
    """
    connection = db.session.connection()
    empty = {
        table
        for table in (model.__table__ for model in models)  # type: ignore[attr-defined]
        if connection.execute(select(*table.primary_key).limit(1)).first() is None
    }
    indexes, keys = _built_later(connection, sorted(empty, key=_name))
    for key in keys:
        connection.execute(DropConstraint(key))
    for index in indexes:
        index.drop(connection)
    yield empty
    for index in indexes:
        index.create(connection)
    for key in keys:
        connection.execute(AddConstraint(key))


def _built_later(
    connection: Connection, tables: list[Table]
) -> tuple[list[Index], list[ForeignKeyConstraint]]:
    """Return the plain indexes and (on PostgreSQL) foreign keys of `tables` to build last.

    Those the models declare and the database holds under the same name: a database a
    revision behind (or ahead) keeps what it has.
    """
    found = inspect(connection)
    indexes: list[Index] = []
    keys: list[ForeignKeyConstraint] = []
    for table in tables:
        held = {index["name"] for index in found.get_indexes(table.name)}
        indexes += [i for i in sorted(table.indexes, key=_name) if not i.unique and i.name in held]
        if connection.dialect.name == "postgresql":  # SQLite cannot drop a foreign key
            held = {key["name"] for key in found.get_foreign_keys(table.name)}
            keys += [k for k in sorted(table.foreign_key_constraints, key=_name) if k.name in held]
    return indexes, keys


def _name(item: Index | ForeignKeyConstraint | Table) -> str:
    return str(item.name)


def write_rows(model: type, rows: list[dict]) -> None:
    """Insert rows below the ORM: one COPY on PostgreSQL, batches of one executemany elsewhere.

    Every column's bind processor runs once per distinct value (demo rows repeat dates,
    statuses and texts), then the driver gets plain tuples. PostgreSQL takes them by COPY:
    an executemany there runs one statement per row (200,000 rows of 16 columns, measured
    here: 3.2 s and 2.2 s of CPU by executemany, 0.2 s and 0.1 s of CPU by a binary COPY).
    """
    if not rows:
        return
    table = model.__table__  # type: ignore[attr-defined]
    connection = db.session.connection()
    compiled = insert(table).compile(
        dialect=connection.dialect, column_keys=list(rows[0]), for_executemany=True
    )
    names = list(compiled.positiontup or []) if compiled.positional else list(compiled.params)
    batches = _converted(connection, table, names, rows)
    if connection.dialect.name == "postgresql" and len(rows) >= COPY_FROM:
        _copy(connection, table, names, batches)
        return
    for params in batches:
        if not compiled.positional:
            params = [dict(zip(names, row, strict=True)) for row in params]
        connection.exec_driver_sql(compiled.string, params)


def _converted(
    connection: Connection, table: Table, names: list[str], rows: list[dict[str, Any]]
) -> Iterator[list[Any]]:
    """Yield the rows as tuples of driver values in `names` order, `BATCH` rows at a time."""
    convert = [table.c[name].type._cached_bind_processor(connection.dialect) for name in names]
    missing = {n: column_default(table.c[n]) for n in names if n not in rows[0]}
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        batch = [row | missing for row in batch] if missing else batch
        values = list(zip(*map(itemgetter(*names), batch), strict=True))
        for i, process in enumerate(convert):
            if process is not None:  # once per distinct value, then a C-level lookup
                done = {value: process(value) for value in set(values[i])}
                values[i] = tuple(map(done.__getitem__, values[i]))
        yield list(zip(*values, strict=True))


def _copy(
    connection: Connection, table: Table, names: list[str], batches: Iterator[list[Any]]
) -> None:
    """Send the rows to PostgreSQL in one binary COPY, on the session's connection (psycopg 3).

    Binary, with each column's type as the server declares it: psycopg packs a row about five
    times faster than it formats one as text (0.08 s of CPU against 0.4 s for 200,000 rows),
    and the server has no text to parse.
    """
    quote = connection.dialect.identifier_preparer
    name, columns = quote.format_table(table), ", ".join(quote.quote(n) for n in names)
    # Names from the table's metadata, quoted: no value is ever spliced into the SQL. Sent
    # through SQLAlchemy, so that statement counts see the COPY's one extra statement.
    described = connection.exec_driver_sql(f"SELECT {columns} FROM {name} LIMIT 0")  # noqa: S608
    types = [column[1] for column in described.cursor.description]
    described.close()
    driver = connection.connection.driver_connection
    with (
        driver.cursor() as cursor,  # type: ignore[union-attr]
        cursor.copy(f"COPY {name} ({columns}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types(types)
        for batch in batches:
            for row in batch:
                copy.write_row(row)


def column_default(column: Column) -> object:
    """The Python-side default of `column`, for a row that leaves it out."""
    default = column.default
    if default is None:
        return None
    return default.arg(None) if default.is_callable else default.arg  # type: ignore[attr-defined]
