"""`flask figures check` and `flask figures rebuild`: the derived tables figures read from.

Figures read each engineer's earliest counting evidence from `evidence_firsts`, their
readiness per role from `readiness_steps`, how many engineers of each team stand at each
readiness from `standing_counts` (and by how many each band changes day by day from
`band_changes`), how each module's evidence adds up from `module_stats`, and the Verify count
how much evidence waits for a decision from `pending_tallies`, all kept in step by every write.
`check` compares them with a computation from the evidence itself (the counts with a count of
the readiness table); `rebuild` computes them for everyone (after an upgrade, or after
restoring a backup taken by other means, say).
"""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from tracker import audit
from tracker.extensions import db
from tracker.models import EvidenceFirst, ReadinessStep
from tracker.operations import (
    band_changes,
    firsts,
    module_stats,
    pending_tallies,
    standing_counts,
    steps,
)
from tracker.reads.catalogue import load_catalogue

figures_cli = AppGroup("figures", help="Check or rebuild what figures are read from.")


def _rows(model: type[EvidenceFirst] | type[ReadinessStep]) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model)) or 0


@figures_cli.command("check")
def check_command() -> None:
    """Compare the derived tables with a computation from evidence; exit 1 if they differ."""
    problems = []
    missing, extra = firsts.differences(db.session.connection())
    if missing or extra:
        problems.append(
            f"the earliest-evidence table differs from the evidence: {len(missing)} row(s) "
            f"missing, {len(extra)} row(s) that should not be there"
        )
    missing, extra = module_stats.differences(db.session.connection())
    if missing or extra:
        problems.append(
            f"the module statistics differ from the evidence: {len(missing)} row(s) missing, "
            f"{len(extra)} row(s) that should not be there"
        )
    missing, extra = pending_tallies.differences(db.session.connection())
    if missing or extra:
        problems.append(
            f"the pending evidence tallies differ from the evidence: {len(missing)} row(s) "
            f"missing, {len(extra)} row(s) that should not be there"
        )
    catalogue = load_catalogue()
    if not catalogue.steps_current:
        problems.append(
            "the readiness table was computed with other catalogue rules (figures are computed "
            "from evidence until it is rebuilt)"
        )
    else:
        missing, extra = steps.differences(catalogue)
        if missing or extra:
            problems.append(
                f"the readiness table differs from the evidence: {len(missing)} row(s) "
                f"missing, {len(extra)} row(s) that should not be there"
            )
        missing, extra = standing_counts.differences(db.session.connection())
        if missing or extra:
            problems.append(
                f"the company's counts differ from the readiness table: {len(missing)} row(s) "
                f"missing, {len(extra)} row(s) that should not be there"
            )
        missing, extra = band_changes.differences(db.session.connection())
        if missing or extra:
            problems.append(
                f"the teams' changes of band by day differ from the readiness table: "
                f"{len(missing)} row(s) missing, {len(extra)} row(s) that should not be there"
            )
    if problems:
        for problem in problems:
            click.echo(f"Error: {problem}.", err=True)
        click.echo("Run `flask figures rebuild`.", err=True)
        sys.exit(1)
    click.echo(
        "The earliest-evidence, module statistics, pending tallies and readiness tables match "
        "the evidence, and the company's counts match the readiness table."
    )


@figures_cli.command("rebuild")
def rebuild_command() -> None:
    """Compute the earliest-evidence, module statistics, pending and readiness tables anew.

    The company's counts follow the readiness table when the rebuild commits.
    """
    firsts.recount(db.session.connection())
    module_stats.recount(db.session.connection())
    pending_tallies.recount(db.session.connection())
    steps.rebuild(db.session(), load_catalogue())
    counts = _rows(EvidenceFirst), _rows(ReadinessStep)
    audit.record("figures.rebuilt", "evidence_firsts", f"rows={counts[0]} steps={counts[1]}")
    db.session.commit()
    click.echo(
        f"Rebuilt the earliest-evidence table ({counts[0]:,} row{'s' * (counts[0] != 1)}) "
        f"and the readiness table ({counts[1]:,} row{'s' * (counts[1] != 1)})."
    )
