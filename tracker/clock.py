"""The one clock: every timestamp and every "today" the app uses is in UTC.

Evidence, claims and audit events are stamped with `utcnow()`; figures "as of today", the
"cannot be in the future" checks and the digest all use `today()`, the same day in UTC, so a
claim made a minute ago is never dated after the day the figures are computed for, whatever
time zone the server runs in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Return today's date in UTC."""
    return utcnow().date()
