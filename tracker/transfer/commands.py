"""`flask data export FILE` and `flask data import FILE`: every record, database-neutral.

An export is audited in the database it reads, after its snapshot, so a file never holds the
event of its own making. An import stores no row of its own: its `data.imported` event goes
to the audit log only (the `tracker.audit` line every event writes), so the imported database
holds exactly the file's records and exporting it again gives the same document, byte for
byte.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import AppGroup

from tracker import audit
from tracker.cli_imports import refuse
from tracker.extensions import db
from tracker.operations.catalogue_version import bump
from tracker.operations.derived import evidence_written
from tracker.transfer.database import record_tables
from tracker.transfer.document import TransferError
from tracker.transfer.exporter import Progress, Tick, export_file, no_progress
from tracker.transfer.importer import import_file

data_cli = AppGroup("data", help="Every record as one JSON file: back up, or move databases.")


@data_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export_command(file: Path) -> None:
    """Write every record to FILE as JSON, from one consistent snapshot of the database."""
    try:
        counts = export_file(file, db.engine, record_tables(db.metadata), _bar("Exporting"))
    except TransferError as error:
        click.echo(f"Error: {error}; no file was written.", err=True)
        sys.exit(1)
    audit.record("data.exported", file.name, _summary(counts))
    db.session.commit()
    click.echo(f"Exported {_rows_and_tables(counts)} to {file}.")


@data_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    """Load every record from FILE into an empty, migrated database: all of it or nothing."""
    try:
        counts = import_file(
            file,
            db.session.connection(),
            record_tables(db.metadata),
            _migrations(),
            _bar("Importing"),
        )
    except TransferError as error:
        refuse(str(error), [])
    evidence_written(db.session())  # the derived tables, from the records just loaded
    bump(db.session.connection())
    db.session.commit()
    audit.log_only("data.imported", file.name, _summary(counts))
    click.echo(f"Imported {_rows_and_tables(counts)} from {file}.")


def _rows_and_tables(counts: dict[str, int]) -> str:
    """Return e.g. "1,204 rows of 24 tables"."""
    rows, tables = sum(counts.values()), len(counts)
    return f"{rows:,} row{'s' * (rows != 1)} of {tables} table{'s' * (tables != 1)}"


def _summary(counts: dict[str, int]) -> str:
    """Return the row counts as one line: the total, then each table that has rows."""
    tables = ", ".join(f"{name}={count}" for name, count in counts.items() if count)
    return f"rows={sum(counts.values())}; {tables}"


def _migrations() -> ScriptDirectory | None:
    """Return the tracker's Alembic scripts (to say which side of a mismatch is behind)."""
    state = current_app.extensions.get("migrate")
    if state is None:
        return None
    return ScriptDirectory.from_config(state.migrate.get_config(state.directory))


def _bar(label: str) -> Progress:
    """Return a progress factory that draws a bar on a terminal and nothing otherwise."""

    def progress(total: int) -> AbstractContextManager[Tick]:
        return _terminal_bar(label, total) if sys.stderr.isatty() else no_progress(total)

    return progress


@contextmanager
def _terminal_bar(label: str, total: int) -> Iterator[Tick]:
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update
