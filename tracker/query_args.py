"""Query arguments every figure page shares."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeAlias

from flask import request
from sqlalchemy import ColumnElement, case
from sqlalchemy.orm import QueryableAttribute

from tracker.clock import today
from tracker.routing import MAX_ID


def as_of_arg() -> date:
    """Return the `as_of` query argument, today when missing or bad, never after today."""
    try:
        return min(date.fromisoformat(request.args.get("as_of", "")), today())
    except ValueError:
        return today()


MAX_PAGE = 100_000  # beyond any real list; keeps the offset inside every database's range


def page_arg() -> int:
    """Return the `page` query argument: 1 when missing or bad, at most MAX_PAGE."""
    value = request.args.get("page", "")
    if not (value.isascii() and value.isdigit()):
        return 1
    return max(1, min(int(value), MAX_PAGE))


def as_id(value: str) -> int | None:
    """Return `value` as a record id, or None when it cannot be one (not digits, too large)."""
    value = value.strip()
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_ID:
        return None
    return int(value)


Orderable: TypeAlias = ColumnElement[Any] | QueryableAttribute[Any]  # what ORDER BY takes


@dataclass(frozen=True)
class Sort:
    """The column a list is ordered by, and whether its first order is turned round."""

    column: str
    turned: bool = False

    @property
    def arg(self) -> str:
        """Return the `sort` query argument of this order: "name", or "-name" turned round."""
        return f"-{self.column}" if self.turned else self.column

    def order_by(
        self,
        *values: Orderable,
        descending: bool = False,
        missing: ColumnElement[bool] | None = None,
    ) -> list[Orderable]:
        """Return ORDER BY clauses: `values` in the column's first order or turned round.

        `descending` says the first order is the largest first; rows where `missing` holds
        (no value to order by) come last either way. Callers add their tie-breaks after.
        """
        down = descending != self.turned
        last: list[Orderable] = [] if missing is None else [case((missing, 1), else_=0)]
        return [*last, *(v.desc() if down else v.asc() for v in values)]


def sort_arg(columns: Collection[str], default: str) -> Sort:
    """Return the `sort` query argument when it names one of `columns`, else `default`.

    "-" before a column turns its order round; anything else (an unknown column, "--name")
    is the default order, never an error.
    """
    value = request.args.get("sort", "")
    column = value.removeprefix("-")
    if column not in columns:
        return Sort(default)
    return Sort(column, value.startswith("-"))
