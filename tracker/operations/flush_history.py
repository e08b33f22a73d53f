"""What an ORM flush changed on a row, for the hooks that keep derived tables in step."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import inspect


def now_and_before(item: Any, attribute: str) -> list[Any]:
    """Return the value of `attribute` now and, if this flush changed it, before.

    The value before is known only when it was loaded or the column has `active_history`.
    """
    history = inspect(item).attrs[attribute].history
    return [getattr(item, attribute), *history.deleted]


def changed(item: Any, attributes: Iterable[str]) -> bool:
    """Return True when this flush changed any of `attributes` of `item`."""
    state = inspect(item)
    return any(state.attrs[name].history.has_changes() for name in attributes)
