"""Load a data document into an empty, migrated database, in the caller's one transaction.

Nothing here commits: the caller commits once every row is in, or rolls back, so an import
applies whole or not at all (a killed import never commits, and the database stays empty).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from alembic.script import ScriptDirectory
from sqlalchemy import Column, Connection, Table, insert
from sqlalchemy.exc import SQLAlchemyError, StatementError

from tracker.transfer.database import (
    first_line,
    first_table_with_rows,
    lock_for_import,
    reset_sequences,
    schema_revision,
)
from tracker.transfer.document import Decoder, Header, TransferError, codec_for
from tracker.transfer.exporter import Progress, Tick, no_progress
from tracker.transfer.reader import Chunk, Readable, read_document
from tracker.transfer.revisions import revision_mismatch

BATCH = 2000


def import_file(
    path: Path,
    conn: Connection,
    tables: Sequence[Table],
    script: ScriptDirectory | None = None,
    progress: Progress = no_progress,
) -> dict[str, int]:
    """Insert every row of the document at `path` through `conn`; return rows per table.

    Raises TransferError, having changed nothing the caller's rollback does not undo, when the
    file cannot be read, is not a document of a version this tracker reads, was exported at
    another schema revision, names a table or column the schema lacks, or when the database
    already holds rows or refuses one.
    """
    try:
        stream = path.open("rb")
    except OSError as error:
        raise TransferError(f"cannot read {path}: {error.strerror or error}") from None
    with stream, progress(path.stat().st_size) as tick:
        try:
            return load_document(conn, _Metered(stream, tick), tables, script)
        except SQLAlchemyError as error:
            raise TransferError(f"the database refused the import: {first_line(error)}") from None


def load_document(
    conn: Connection, stream: Readable, tables: Sequence[Table], script: ScriptDirectory | None
) -> dict[str, int]:
    """Check the header and the database, then insert the document's rows in batches."""
    chunks = read_document(stream, BATCH)
    header = next(chunks)
    assert isinstance(header, Header)  # read_document always starts with it
    reason = revision_mismatch(header.readable_revision(), schema_revision(conn), script)
    if reason:
        raise TransferError(reason)
    lock_for_import(conn, tables)
    full = first_table_with_rows(conn, tables)
    if full:
        raise TransferError(
            f"the database is not empty ({full} has rows): import only into an empty, "
            "migrated database"
        )
    known = {table.name: table for table in tables}
    counts: dict[str, int] = {}
    loader: TableLoader | None = None
    for chunk in chunks:
        assert isinstance(chunk, Chunk)
        if loader is None or loader.table.name != chunk.table:
            loader = TableLoader.start(chunk, known, counts)
        counts[chunk.table] += loader.insert(conn, chunk)
    reset_sequences(conn, tables)
    return counts


@dataclass(frozen=True)
class TableLoader:
    """Decodes and inserts one table's rows, naming the row and column of a bad value."""

    table: Table
    columns: list[Column[Any]]
    decoders: list[Decoder]
    expects: list[str]

    @classmethod
    def start(cls, chunk: Chunk, known: dict[str, Table], counts: dict[str, int]) -> TableLoader:
        """Return the loader for the chunk's table, refusing a table or column not in the schema."""
        table = known.get(chunk.table)
        if table is None:
            raise TransferError(f"table {chunk.table!r} is not in this database's schema")
        if chunk.table in counts:
            raise TransferError(f"table {chunk.table!r} appears twice in the file")
        by_name = {column.name: column for column in table.columns}
        unknown = [name for name in chunk.columns if name not in by_name]
        if unknown:
            raise TransferError(f"table {chunk.table!r} has no column {unknown[0]!r} here")
        if len(set(chunk.columns)) != len(chunk.columns):
            raise TransferError(f"table {chunk.table!r} names a column twice")
        columns = [by_name[name] for name in chunk.columns]
        codecs = [codec_for(table, column) for column in columns]
        counts[chunk.table] = 0
        return cls(table, columns, [c.decode for c in codecs], [c.expects for c in codecs])

    def insert(self, conn: Connection, chunk: Chunk) -> int:
        """Insert the chunk's rows with one executemany; return how many."""
        rows = [self._decode(values, chunk.first + i) for i, values in enumerate(chunk.rows)]
        if not rows:
            return 0
        try:
            conn.execute(insert(self.table), rows)
        except StatementError as error:
            last = chunk.first + len(rows) - 1
            raise TransferError(
                f"table {self.table.name}, rows {chunk.first}-{last}: the database refused "
                f"them ({first_line(error)})"
            ) from None
        return len(rows)

    def _decode(self, values: list[Any], number: int) -> dict[str, Any]:
        if len(values) != len(self.columns):
            raise TransferError(
                f"table {self.table.name}, row {number}: {len(values)} values "
                f"for {len(self.columns)} columns"
            )
        row: dict[str, Any] = {}
        for column, decode, value in zip(self.columns, self.decoders, values, strict=True):
            try:
                row[column.key] = None if value is None else decode(value)
            except ValueError:
                expected = self.expects[self.columns.index(column)]
                raise TransferError(
                    f"table {self.table.name}, row {number}, column {column.name}: "
                    f"expected {expected}, not {str(value)[:40]!r}"
                ) from None
        return row


class _Metered:
    """A binary stream that reports how many bytes have been read (for the progress bar)."""

    def __init__(self, raw: IO[bytes], tick: Tick) -> None:
        self._raw, self._tick = raw, tick

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._tick(len(data))
        return data
