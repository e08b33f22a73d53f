"""What the transfer needs from the database, including where SQLite and PostgreSQL differ."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    String,
    Table,
    false,
    func,
    literal,
    select,
)
from sqlalchemy.sql.elements import ColumnElement

from tracker.transfer.document import storage_type


def record_tables(metadata: MetaData) -> list[Table]:
    """Return the tables that hold records, parents first.

    Derived tables (`info={"derived": True}`, such as `evidence_firsts`) are left out of a
    document: they are rebuilt from the records after an import.
    """
    return [table for table in metadata.sorted_tables if not table.info.get("derived")]


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """Yield a connection whose reads all see one moment, even while the app keeps writing."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            # pysqlite opens no transaction for reads; without one each SELECT sees its own
            # moment. WAL keeps this read transaction's snapshot while others write.
            conn.exec_driver_sql("BEGIN")
        else:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        try:
            yield conn
        finally:
            conn.rollback()


def lock_for_import(conn: Connection, tables: Sequence[Table]) -> None:
    """Take the write lock now, so the emptiness check and the inserts see the same database."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        names = ", ".join(conn.dialect.identifier_preparer.format_table(t) for t in tables)
        conn.exec_driver_sql(f"LOCK TABLE {names} IN EXCLUSIVE MODE")


def schema_revision(conn: Connection) -> str | None:
    """Return the database's Alembic revision (heads joined by spaces), or None if unmigrated."""
    heads = MigrationContext.configure(conn).get_current_heads()
    return " ".join(sorted(heads)) or None


def first_table_with_rows(conn: Connection, tables: Sequence[Table]) -> str | None:
    """Return the name of the first of `tables` that holds a row, or None when all are empty."""
    for table in tables:
        if conn.execute(select(literal(1)).select_from(table).limit(1)).first():
            return table.name
    return None


def row_counts(conn: Connection, tables: Sequence[Table]) -> dict[str, int]:
    """Return how many rows each table holds."""
    return {
        table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
        for table in tables
    }


def ordered_rows(conn: Connection, table: Table, batch: int) -> Iterator[Sequence[Any]]:
    """Yield the table's rows in batches, by primary key, read with a server-side cursor."""
    keys = list(table.primary_key.columns) or list(table.columns)
    query = select(table).order_by(*(_byte_order(conn, column) for column in keys))
    result = conn.execution_options(yield_per=batch).execute(query)
    for partition in result.partitions():
        yield [tuple(row) for row in partition]


def _byte_order(conn: Connection, column: Column[Any]) -> ColumnElement[Any]:
    """Sort text by code point on every database, so exports compare byte for byte."""
    if conn.dialect.name == "postgresql" and isinstance(storage_type(column.type), String):
        return column.collate("C")
    return column


def first_line(error: Exception) -> str:
    """Return the first line of a database error's own message (drivers add SQL and hints)."""
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def reset_sequences(conn: Connection, tables: Sequence[Table]) -> None:
    """On PostgreSQL, move each id sequence past the largest imported id (SQLite needs nothing)."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = func.pg_get_serial_sequence(
            conn.dialect.identifier_preparer.format_table(table), column.name
        )
        next_id = func.coalesce(func.max(column), 0) + 1
        conn.execute(select(func.setval(sequence, next_id, false())).select_from(table))
