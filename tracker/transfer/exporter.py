"""Write every table to a data document, streaming: rows go to the file as they are read."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Connection, Engine, Table
from sqlalchemy.exc import SQLAlchemyError

from tracker.transfer.database import (
    first_line,
    ordered_rows,
    row_counts,
    schema_revision,
    snapshot,
)
from tracker.transfer.document import FORMAT, FORMAT_VERSION, Encoder, TransferError, codec_for

BATCH = 2000
Tick = Callable[[int], object]
# Given the number of rows to come, a context manager yielding a callback for rows written.
Progress = Callable[[int], AbstractContextManager[Tick]]


def no_progress(total: int) -> AbstractContextManager[Tick]:
    """Report nothing (for scripts and tests)."""
    return nullcontext(lambda n: None)


def export_file(
    path: Path, engine: Engine, tables: Sequence[Table], progress: Progress = no_progress
) -> dict[str, int]:
    """Write `tables` to `path` from one snapshot; return rows per table.

    The document goes to a temporary file beside `path`, renamed over it only when complete,
    so a failed export leaves no half file. The file is readable by its owner only: it holds
    password and token hashes.
    """
    try:
        with snapshot(engine) as conn, _replacing(path) as out:
            return write_document(conn, out, tables, progress)
    except SQLAlchemyError as error:
        raise TransferError(f"cannot read the database: {first_line(error)}") from None
    except OSError as error:
        raise TransferError(f"cannot write {path}: {error.strerror or error}") from None


def write_document(
    conn: Connection, out: TextIO, tables: Sequence[Table], progress: Progress = no_progress
) -> dict[str, int]:
    """Write the document for `tables` as `conn` sees them to `out`; return rows per table."""
    counts = row_counts(conn, tables)
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_revision": schema_revision(conn),
    }
    out.write(json.dumps(header, ensure_ascii=False)[:-1] + ', "tables": [')
    with progress(sum(counts.values())) as tick:
        for index, table in enumerate(tables):
            out.write(",\n" if index else "\n")
            counts[table.name] = _write_table(conn, out, table, tick)
    out.write("\n]}\n")
    return counts


def _write_table(conn: Connection, out: TextIO, table: Table, tick: Tick) -> int:
    """Write one table: its name, columns and rows, one row per line; return the row count."""
    columns = list(table.columns)
    encoders = [codec_for(table, column).encode for column in columns]
    names = json.dumps([column.name for column in columns], ensure_ascii=False)
    out.write(f'{{"name": {json.dumps(table.name)}, "columns": {names}, "rows": [')
    written = 0
    for batch in ordered_rows(conn, table, BATCH):
        lines = [_dumps(_encode(encoders, row)) for row in batch]
        out.write(("\n" if not written else ",\n") + ",\n".join(lines))
        written += len(batch)
        tick(len(batch))
    out.write("\n]}")
    return written


def _encode(encoders: list[Encoder | None], row: Sequence[Any]) -> list[Any]:
    return [
        value if encode is None or value is None else encode(value)
        for encode, value in zip(encoders, row, strict=True)
    ]


def _dumps(values: list[Any]) -> str:
    try:
        return json.dumps(values, ensure_ascii=False, allow_nan=False)
    except ValueError as error:  # NaN or infinity: JSON has no way to say them
        raise TransferError(f"a value cannot be written as JSON: {error}") from None


@contextmanager
def _replacing(path: Path) -> Iterator[TextIO]:
    """Yield a temporary file beside `path`; rename it over `path` only if the block succeeds."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    renamed = False
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
        renamed = True
    finally:
        if not renamed:
            Path(temporary).unlink(missing_ok=True)
