"""`flask users create` and `flask roster import`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from tracker import audit
from tracker.admin.roster import RosterError
from tracker.admin.roster_apply import import_roster
from tracker.cli_imports import finish, read_text_or_exit, refuse
from tracker.emails import is_email, normalise
from tracker.extensions import db
from tracker.limits import ROSTER_MAX_BYTES
from tracker.models import Role, User
from tracker.passwords import hash_password, policy_error

users_cli = AppGroup("users", help="People and their accounts.")
roster_cli = AppGroup("roster", help="Import people and teams from a CSV roster.")


def fail(message: str) -> None:
    """Print a one-line reason and exit non-zero."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's name.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="A role; repeat for several.",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email: str, name: str, roles: tuple[str, ...], password_stdin: bool) -> None:
    """Create a person with a password (how the first admin is made)."""
    email = normalise(email)
    if not is_email(email):
        fail(f"{email!r} is not an email address")
    if not name.strip():
        fail("--name must not be empty")
    if db.session.scalar(db.select(User.id).where(User.email == email)):
        fail(f"{email} already has an account")
    password = _read_password(password_stdin)
    problem = policy_error(password, email)
    if problem:
        fail(f"password refused: {problem}")
    user = User(email=email, name=name.strip(), password_hash=hash_password(password))
    user.set_roles({Role(r) for r in roles})
    db.session.add(user)
    db.session.flush()
    audit.record("person.created", email, f"roles={';'.join(sorted(roles))} via cli")
    db.session.commit()
    click.echo(f"Created {email} ({', '.join(sorted(roles))}).")


@roster_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
def import_command(file: Path, dry_run: bool) -> None:
    """Import people and teams from a roster CSV: all of it, or nothing."""
    text = read_text_or_exit(file, ROSTER_MAX_BYTES)
    try:
        report = import_roster(text)
    except RosterError as error:
        refuse(str(error), error.errors)
    finish(report.lines(), dry_run)
