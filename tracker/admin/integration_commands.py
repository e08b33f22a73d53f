"""`flask integrations …`: accounts for systems that send data (no login, no person)."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import NoReturn

import click
from flask.cli import AppGroup

from tracker.extensions import db
from tracker.models import Scope
from tracker.operations.errors import RecordError
from tracker.operations.tokens import create_integration, revoke_integration
from tracker.reads.integrations import integration_named, integration_rows

integrations_cli = AppGroup("integrations", help="Integration accounts and their tokens.")

SCOPES = "|".join(scope.value for scope in Scope)


def fail(message: str) -> NoReturn:
    """Roll back, print a one-line reason and exit non-zero."""
    db.session.rollback()
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _when(moment: datetime | None, never: str = "never") -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else never


@integrations_cli.command("create")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, help=f"{SCOPES}; repeat for several.")
def create(name: str, scopes: tuple[str, ...]) -> None:
    """Make an integration account NAME and print its token once (only its hash is stored)."""
    try:
        integration, secret = create_integration(name, [s.strip().lower() for s in scopes], None)
    except RecordError as error:
        fail(str(error))
    db.session.commit()
    click.echo(secret)
    click.echo(
        f"Integration {integration.name} created with scopes {integration.scopes}. "
        "Its token is shown once, above: it will not be shown again.",
        err=True,
    )


@integrations_cli.command("list")
def list_integrations() -> None:
    """List integrations: name, scopes, created, live or revoked, last token use."""
    rows = integration_rows()
    if not rows:
        click.echo("No integrations yet: make one with `flask integrations create`.")
        return
    table = [("NAME", "SCOPES", "CREATED", "STATE", "LAST USED")]
    for row in rows:
        integration = row.integration
        state = f"revoked {_when(integration.revoked_at)}" if integration.revoked_at else "live"
        table.append(
            (
                integration.name,
                integration.scopes,
                _when(integration.created_at),
                state,
                _when(row.last_used_at),
            )
        )
    widths = [max(len(cell) for cell in column) for column in zip(*table, strict=True)]
    for line in table:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())


@integrations_cli.command("revoke")
@click.argument("name")
def revoke(name: str) -> None:
    """Revoke the integration NAME: every token it holds stops working at once."""
    integration = integration_named(name)
    if integration is None:
        fail(f"no integration is named {name.strip()!r}")
    if not revoke_integration(integration, None):
        fail(f"{integration.name} was already revoked on {_when(integration.revoked_at)}")
    db.session.commit()
    click.echo(f"Revoked {integration.name}: its tokens no longer work.")
