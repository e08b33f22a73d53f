"""What every `flask … import FILE [--dry-run]` command shares: read, refuse whole, report."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

import click

from tracker.extensions import db
from tracker.limits import size_problem


def read_text_or_exit(file: Path, limit: int) -> str:
    """Return the UTF-8 text of `file`, or exit non-zero with one line saying why not.

    Reads at most `limit` bytes (and one more, to tell that the file is larger).
    """
    try:
        with file.open("rb") as stream:
            data = stream.read(limit + 1)
        if problem := size_problem(len(data), limit, str(file)):
            click.echo(f"Error: {problem}; nothing was imported.", err=True)
            sys.exit(1)
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        click.echo(
            f"Error: cannot read {file}: {getattr(error, 'strerror', None) or error}", err=True
        )
        sys.exit(1)


def refuse(summary: str, problems: Iterable[str]) -> NoReturn:
    """Roll back, print the one-line reason and then every problem, and exit non-zero."""
    db.session.rollback()
    click.echo(f"Error: {summary}; nothing was imported.", err=True)
    for line in problems:
        click.echo(f"  {line}", err=True)
    sys.exit(1)


def finish(report_lines: Iterable[str], dry_run: bool) -> None:
    """Commit (or, for a dry run, roll back) and print what changed or would change."""
    if dry_run:
        db.session.rollback()
        click.echo("Dry run: nothing was changed. The import would make:")
    else:
        db.session.commit()
    for line in report_lines:
        click.echo(line)
