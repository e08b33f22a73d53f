"""Read a data document incrementally: the header, then each table's rows in batches.

Parses with ijson's event stream, so memory holds one batch of rows whatever the file's size,
and the file's layout (line breaks, indentation, key order within the rules of `document`)
does not matter.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import ijson

from tracker.limits import MAX_DEPTH
from tracker.transfer.document import HEADER_KEYS, Header, TransferError

Events = Iterator[tuple[str, Any]]
CONTAINERS = ("start_map", "start_array")
HEADER_DEPTH, ROW_DEPTH = 2, 5  # a header value's level; a row's (document, tables, table, rows)


class Readable(Protocol):
    """A binary stream: an open file, or anything else with `read`."""

    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class Chunk:
    """Some rows of one table, in document order; `first` is the 1-based number of rows[0]."""

    table: str
    columns: list[str]
    rows: list[list[Any]]
    first: int


def read_document(stream: Readable, batch: int) -> Iterator[Header | Chunk]:
    """Yield the document's Header, then Chunks of at most `batch` rows, table by table.

    Every table yields at least one Chunk (with no rows when it is empty). Raises
    TransferError for JSON that is not valid or not shaped like a data document.
    """
    events: Events = ijson.basic_parse(stream)
    try:
        yield from _document(events, batch)
        if next(events, None) is not None:  # anything after the closing brace is an error
            raise TransferError("the file has more after the end of the document")
    except ijson.JSONError as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else "incomplete"
        raise TransferError(f"the file is not valid JSON ({reason})") from None


def _document(events: Events, batch: int) -> Iterator[Header | Chunk]:
    if next(events, ("", None))[0] != "start_map":
        raise TransferError("not a tracker data file (it is not a JSON object)")
    header: dict[str, Any] = {}
    tables_read = False
    for event, key in events:
        if event == "end_map":
            break
        if key == "tables" and not tables_read:
            yield Header(**{name: header.get(name) for name in HEADER_KEYS})
            yield from _tables(events, batch)
            tables_read = True
        elif key in HEADER_KEYS and not tables_read:
            header[key] = _value(events, *_next(events), HEADER_DEPTH)
        else:
            where = "after the tables" if tables_read else "in the header"
            raise TransferError(f"unexpected field {key!r} {where}")
    if not tables_read:
        raise TransferError("the file has no tables")


def _tables(events: Events, batch: int) -> Iterator[Chunk]:
    if _next(events)[0] != "start_array":
        raise TransferError('"tables" must be a list')
    for event, _ in events:
        if event == "end_array":
            return
        if event != "start_map":
            raise TransferError('each entry of "tables" must be an object')
        yield from _table(events, batch)


def _table(events: Events, batch: int) -> Iterator[Chunk]:
    fields: dict[str, Any] = {}
    for event, key in events:
        if event == "end_map":
            break
        if key in fields or key not in ("name", "columns", "rows"):
            raise TransferError(f"unexpected field {key!r} in a table")
        if key == "rows":
            name, columns = _name_and_columns(fields)
            yield from _rows(events, name, columns, batch)
            fields[key] = True
        else:
            fields[key] = _value(events, *_next(events), HEADER_DEPTH + 2)
    if "rows" not in fields:
        raise TransferError(f'table {fields.get("name")!r} has no "rows"')


def _name_and_columns(fields: dict[str, Any]) -> tuple[str, list[str]]:
    name, columns = fields.get("name"), fields.get("columns")
    if not isinstance(name, str):
        raise TransferError('each table needs a "name" (a string) before its "rows"')
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise TransferError(f'table {name!r} needs "columns" (a list of names) before its "rows"')
    return name, columns


def _rows(events: Events, name: str, columns: list[str], batch: int) -> Iterator[Chunk]:
    if _next(events)[0] != "start_array":
        raise TransferError(f'the "rows" of table {name!r} must be a list')
    rows: list[list[Any]] = []
    first = 1
    for event, _ in events:
        if event == "end_array":
            break
        if event != "start_array":
            raise TransferError(f"table {name!r}, row {first + len(rows)}: not a list of values")
        rows.append(_row(events))
        if len(rows) == batch:
            yield Chunk(name, columns, rows, first)
            first, rows = first + batch, []
    if rows or first == 1:
        yield Chunk(name, columns, rows, first)


def _row(events: Events) -> list[Any]:
    """Return the values of the row whose opening bracket was just read (the hot loop)."""
    row: list[Any] = []
    for event, value in events:
        if event == "end_array":
            return row
        row.append(_value(events, event, value, ROW_DEPTH + 1) if event in CONTAINERS else value)
    return row


def _next(events: Events) -> tuple[str, Any]:
    try:
        return next(events)
    except StopIteration:
        raise TransferError("the file ends before the document does") from None


def _value(events: Events, event: str, value: Any, depth: int) -> Any:
    """Return the whole JSON value that starts with (`event`, `value`) at level `depth`."""
    if event in CONTAINERS and depth > MAX_DEPTH:
        raise TransferError(f"the file is nested more than {MAX_DEPTH} levels deep (the limit)")
    if event == "start_array":
        items = []
        for inner, inner_value in events:
            if inner == "end_array":
                break
            items.append(_value(events, inner, inner_value, depth + 1))
        return items
    if event == "start_map":
        mapping = {}
        for inner, key in events:
            if inner == "end_map":
                break
            mapping[key] = _value(events, *_next(events), depth + 1)
        return mapping
    return value
