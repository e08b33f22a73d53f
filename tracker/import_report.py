"""An import's report carried across the redirect that follows the POST, so a reload re-imports
nothing. It travels in the session cookie, so it is cut to fit; the dry run lists every line."""

from __future__ import annotations

from typing import Any

from flask import session

SESSION_KEY = "import_report"
MAX_LINES = 30
MAX_CHARS = 1500  # the whole cookie must stay under the 4 KB browsers keep


def keep(lines: list[str]) -> None:
    """Keep the first lines of a report for the next page, and how many were left out."""
    kept: list[str] = []
    size = 0
    for line in lines:
        if len(kept) == MAX_LINES or size + len(line) > MAX_CHARS:
            break
        kept.append(line)
        size += len(line)
    session[SESSION_KEY] = {"lines": kept, "more": len(lines) - len(kept)}


def take() -> dict[str, Any]:
    """Return the kept report as template arguments (once), or none."""
    kept = session.pop(SESSION_KEY, None)
    if not kept:
        return {}
    return {"report_lines": kept["lines"], "more_lines": kept["more"], "dry_run": False}
