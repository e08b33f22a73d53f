"""Query arguments every figure page shares."""

from __future__ import annotations

from datetime import date

from flask import request

from tracker.clock import today


def as_of_arg() -> date:
    """Return the `as_of` query argument, today when missing or bad, never after today."""
    try:
        return min(date.fromisoformat(request.args.get("as_of", "")), today())
    except ValueError:
        return today()
