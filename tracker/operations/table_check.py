"""How a derived table differs from what it should hold: the comparison every `differences()`
of the tables counted by SQL makes (the tests run it after every test; `flask figures check`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Executable

Rows = set[tuple[Any, ...]]


def rows_differ(
    connection: Connection, stored: Executable, expected: Executable
) -> tuple[Rows, Rows]:
    """Return (rows `stored` lacks, rows it holds that it should not) against `expected`."""
    held = {tuple(row) for row in connection.execute(stored)}
    wanted = {tuple(row) for row in connection.execute(expected)}
    return wanted - held, held - wanted
