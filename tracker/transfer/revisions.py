"""Whether a document's schema revision fits the database, and if not, what to run."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from alembic.util import CommandError


def revision_mismatch(
    document: str | None, database: str | None, script: ScriptDirectory | None
) -> str | None:
    """Return why a document at revision `document` cannot load into `database`, or None.

    The rows of a document only fit the schema they were read from, so the revisions must be
    equal; `script` (the tracker's migrations) tells which side is behind and so what to run.
    """
    if document == database:
        return None
    if database is None:
        return "the database has no schema yet: run `flask db upgrade` on it first"
    if document is None:
        return (
            f"the file does not say its schema revision (the database is at {database}): "
            "export it from a database migrated with `flask db upgrade`"
        )
    order = _order(document, database, script)
    if order == "unknown":
        return (
            f"the file is at schema revision {document}, which this tracker does not know: "
            "upgrade the tracker and run `flask db upgrade` first"
        )
    if order == "database behind":
        return (
            f"the database is at schema revision {database}, older than the file's "
            f"{document}: run `flask db upgrade` on it first"
        )
    if order == "document behind":
        return (
            f"the file is at schema revision {document}, older than the database's "
            f"{database}: run `flask db upgrade` on the database it came from, then export again"
        )
    return (
        f"the file is at schema revision {document} but the database at {database}: "
        "bring both to the same revision with `flask db upgrade`"
    )


def _order(document: str, database: str, script: ScriptDirectory | None) -> str:
    """Say which side is behind: "unknown", "database behind", "document behind" or ""."""
    if script is None or " " in document or " " in database:
        return ""
    try:
        known = {revision.revision for revision in script.walk_revisions()}
        if document not in known:
            return "unknown"
        below_document = {r.revision for r in script.iterate_revisions(document, "base")}
    except CommandError:
        return ""
    if database in below_document:
        return "database behind"
    return "document behind" if database in known else ""
