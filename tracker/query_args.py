"""Query arguments every figure page shares."""

from __future__ import annotations

from datetime import date

from flask import request

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
