"""`flask tokens …`: API tokens from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker.extensions import db
from tracker.models import ApiToken, User
from tracker.operations.tokens import issue_token

tokens_cli = AppGroup("tokens", help="API tokens.")

LABEL_MAX = ApiToken.label.type.length


@tokens_cli.command("create")
@click.argument("email")
@click.option("--label", default="", help="What the token is for, e.g. 'CI pipeline'.")
def create(email: str, label: str) -> None:
    """Issue an API token for EMAIL and print it once (only its hash is stored)."""
    label = label.strip()
    if LABEL_MAX is not None and len(label) > LABEL_MAX:
        raise click.ClickException(f"--label: at most {LABEL_MAX} characters")
    user = db.session.scalar(db.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no person has the email {email.strip()!r}")
    if not user.active:
        raise click.ClickException(f"{user.email} is deactivated: a token would not work")
    token, secret = issue_token(user, label)
    db.session.commit()
    click.echo(secret)
    click.echo(
        f"Token {token.prefix}… created for {user.email}. It will not be shown again.", err=True
    )
