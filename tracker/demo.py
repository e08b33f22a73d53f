"""`flask demo seed`: a deterministic demo organisation (never in production)."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func

from tracker import audit
from tracker.catalogue.service import load_default_catalogue
from tracker.demo_history import generate_history
from tracker.extensions import db
from tracker.models import Role, Team, TeamManager, User
from tracker.passwords import hash_password

DEMO_PASSWORD = "learn-ml-2026"  # noqa: S105  (documented demo password)
TEAMS = ("Payments", "Search", "Platform", "Data")
DEMO_ACCOUNTS = (
    ("admin@example.com", "Ada Admin", {Role.ADMIN}, None),
    ("ld@example.com", "Lee Learning", {Role.LD}, None),
    ("manager@example.com", "Morgan Manager", {Role.MANAGER, Role.ENGINEER}, "Payments"),
    ("engineer@example.com", "Erin Engineer", {Role.ENGINEER}, "Payments"),
)
TEAM_MANAGERS = {
    "Search": ("sam.search@example.com", "Sam Okafor"),
    "Platform": ("pat.platform@example.com", "Pat Lindqvist"),
    "Data": ("dana.data@example.com", "Dana Ruiz"),
}
FIRST = (
    "Alex",
    "Blair",
    "Chen",
    "Dev",
    "Eli",
    "Farah",
    "Gita",
    "Hugo",
    "Ines",
    "Jun",
    "Kofi",
    "Lena",
    "Mina",
    "Nico",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
)
LAST = (
    "Adams",
    "Bose",
    "Costa",
    "Diaz",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kim",
    "Lopez",
    "Murphy",
    "Nowak",
    "Okoro",
    "Patel",
    "Rossi",
    "Sato",
)

demo_cli = AppGroup("demo", help="The demo organisation.")


def _person(email: str, name: str, roles: set[Role], team: Team | None, pw_hash: str) -> User:
    user = User(email=email, name=name, password_hash=pw_hash, team_id=team.id if team else None)
    user.set_roles(roles)
    db.session.add(user)
    return user


def seed_people(
    engineers: int, seed: int, progress: Callable[[int], object] = lambda n: None
) -> dict[str, int]:
    """Create the demo accounts, teams, managers and `engineers` engineers; return counts."""
    rng = random.Random(seed)
    pw_hash = hash_password(DEMO_PASSWORD)  # one hash for every demo account
    teams = {name: Team(name=name) for name in TEAMS}
    db.session.add_all(teams.values())
    db.session.flush()
    people = [
        _person(email, name, roles, teams.get(team or ""), pw_hash)
        for email, name, roles, team in DEMO_ACCOUNTS
    ]
    for team_name, (email, name) in TEAM_MANAGERS.items():
        people.append(
            _person(email, name, {Role.MANAGER, Role.ENGINEER}, teams[team_name], pw_hash)
        )
    for i in range(engineers):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        email = f"{name.lower().replace(' ', '.')}.{i + 1}@example.com"
        people.append(_person(email, name, {Role.ENGINEER}, teams[rng.choice(TEAMS)], pw_hash))
        if i % 500 == 499:
            db.session.flush()
            progress(500)
    db.session.flush()
    by_email = {p.email: p for p in people}
    db.session.add(
        TeamManager(team_id=teams["Payments"].id, user_id=by_email["manager@example.com"].id)
    )
    for team_name, (email, _) in TEAM_MANAGERS.items():
        db.session.add(TeamManager(team_id=teams[team_name].id, user_id=by_email[email].id))
    db.session.flush()
    return {"teams": len(teams), "people": len(people)}


@demo_cli.command("seed")
@click.option(
    "--engineers",
    default=40,
    show_default=True,
    type=click.IntRange(0, 100_000),
    help="How many engineers beyond the demo accounts.",
)
@click.option(
    "--seed",
    "seed",
    default=2026,
    show_default=True,
    type=int,
    help="Random seed: the same seed gives the same organisation.",
)
def seed_command(engineers: int, seed: int) -> None:
    """Load the demo organisation into an empty database."""
    if current_app.config["ENV_NAME"] == "production":
        click.echo("Error: demo seed refuses to run in production.", err=True)
        sys.exit(1)
    if db.session.scalar(db.select(func.count()).select_from(User)):
        click.echo("The database already has people; the demo organisation was not loaded.")
        return
    if sys.stderr.isatty() and engineers >= 1000:
        with click.progressbar(length=engineers, label="People", file=sys.stderr) as bar:
            counts = seed_people(engineers, seed, progress=bar.update)
    else:
        counts = seed_people(engineers, seed)
    catalogue = load_default_catalogue()
    history = generate_history(seed, date.today())
    audit.record("demo.seed", detail=f"engineers={engineers} seed={seed}")
    db.session.commit()
    modules = catalogue.sections["modules"]
    click.echo(
        f"Loaded the demo organisation: {counts['teams']} teams, {counts['people']} people, "
        f"{len(modules.added) + modules.unchanged} modules, {history['evidence']} pieces of "
        "evidence."
    )
    click.echo(f"Demo logins (password {DEMO_PASSWORD}):")
    for email, _, roles, team in DEMO_ACCOUNTS:
        labels = ", ".join(sorted(r.label for r in roles))
        click.echo(f"  {email:<24} {labels}{f' on {team}' if team else ''}")
