"""`flask catalog import|export|load-default`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from tracker import audit
from tracker.catalogue.exporter import export_text
from tracker.catalogue.service import import_text, load_default_catalogue
from tracker.catalogue.validate import CatalogueError
from tracker.cli_imports import finish, read_text_or_exit, refuse
from tracker.extensions import db
from tracker.limits import CATALOGUE_MAX_BYTES

catalog_cli = AppGroup("catalog", help="The catalogue file: competencies, roles, modules, paths.")


@catalog_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
def import_command(file: Path, dry_run: bool) -> None:
    """Import a catalogue file (YAML or JSON): an upsert by key, all of it or nothing."""
    text = read_text_or_exit(file, CATALOGUE_MAX_BYTES)
    try:
        report = import_text(text, file.name, source=str(file))
    except CatalogueError as error:
        refuse(str(error), error.errors)
    finish(report.lines(), dry_run)


@catalog_cli.command("load-default")
@click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
def load_default_command(dry_run: bool) -> None:
    """Import the default catalogue shipped with the tracker (public ML curricula)."""
    try:
        report = load_default_catalogue()
    except CatalogueError as error:
        refuse(str(error), error.errors)
    finish(report.lines(), dry_run)


@catalog_cli.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
def export_command(file: Path | None) -> None:
    """Write the live (not archived) catalogue to FILE (.json for JSON), or to standard output."""
    fmt = "json" if file and file.suffix.lower() == ".json" else "yaml"
    text = export_text(fmt)
    audit.record("catalog.exported", str(file or "stdout"))
    db.session.commit()
    if file is None:
        click.echo(text, nl=False)
        return
    try:
        file.write_text(text, encoding="utf-8")
    except OSError as error:
        click.echo(f"Error: cannot write {file}: {error.strerror or error}", err=True)
        sys.exit(1)
    click.echo(f"Wrote the catalogue to {file}.")
