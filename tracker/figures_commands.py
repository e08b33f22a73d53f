"""`flask figures check` and `flask figures rebuild`: the derived table figures read from.

Figures read each engineer's earliest counting evidence from `evidence_firsts`, which every
write keeps in step. `check` compares it with a recount from the evidence itself; `rebuild`
recounts it for everyone (after restoring a backup taken by other means, say).
"""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from tracker import audit
from tracker.extensions import db
from tracker.models import EvidenceFirst
from tracker.operations.firsts import differences, recount

figures_cli = AppGroup("figures", help="Check or rebuild what figures are read from.")


@figures_cli.command("check")
def check_command() -> None:
    """Compare the earliest-evidence table with a recount from evidence; exit 1 if they differ."""
    missing, extra = differences(db.session.connection())
    if missing or extra:
        click.echo(
            f"Error: the earliest-evidence table differs from the evidence: {len(missing)} "
            f"row(s) missing, {len(extra)} row(s) that should not be there. "
            "Run `flask figures rebuild`.",
            err=True,
        )
        sys.exit(1)
    click.echo("The earliest-evidence table matches the evidence.")


@figures_cli.command("rebuild")
def rebuild_command() -> None:
    """Recount the earliest-evidence table for everyone from the evidence."""
    recount(db.session.connection())
    rows = db.session.scalar(db.select(db.func.count()).select_from(EvidenceFirst)) or 0
    audit.record("figures.rebuilt", "evidence_firsts", f"rows={rows}")
    db.session.commit()
    click.echo(f"Rebuilt the earliest-evidence table: {rows:,} row{'s' * (rows != 1)}.")
