"""`flask demo seed`: a deterministic demo organisation (never in production)."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import Table, func, insert

from tracker import audit
from tracker.catalogue.service import load_default_catalogue
from tracker.clock import today
from tracker.demo_history import generate_history
from tracker.extensions import db
from tracker.models import Role, Team, TeamManager, User, UserRole
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

INITIALS = "ABCDEFGHIJKLMNOPRSTVW"


def distinct_names(rng: random.Random, taken: set[str]) -> Iterator[str]:
    """Yield people's names in a seeded order, none repeated and none in `taken`.

    First and last names give 360; with a middle initial there are 7,560 more. Beyond those
    (very large demo organisations) the sequence starts again, so names may repeat there.
    """
    plain = [f"{first} {last}" for first in FIRST for last in LAST]
    initialled = [f"{first} {i}. {last}" for first in FIRST for i in INITIALS for last in LAST]
    while True:
        for pool in (plain, initialled):
            order = pool.copy()
            rng.shuffle(order)
            yield from (name for name in order if name not in taken)


def email_for(name: str, number: int) -> str:
    """Return a demo address for a name: "Alex B. Costa", 5 -> alex.b.costa.5@example.com."""
    return f"{name.lower().replace('.', '').replace(' ', '.')}.{number}@example.com"


TEAM_SIZE = 12  # engineers per team, on average, once there are more than four teams
CHUNK = 5000

demo_cli = AppGroup("demo", help="The demo organisation.")


def team_names(engineers: int) -> list[str]:
    """Return the demo teams for `engineers` engineers: the four named ones, then more of them.

    Beyond about 48 engineers the organisation grows teams of about `TEAM_SIZE` named after
    the four areas ("Payments 2", "Search 2", ...), so a large company has many realistic
    teams rather than four huge ones.
    """
    count = max(len(TEAMS), round(engineers / TEAM_SIZE))
    return [
        TEAMS[i % len(TEAMS)] + (f" {i // len(TEAMS) + 1}" if i >= len(TEAMS) else "")
        for i in range(count)
    ]


def _insert(table: Table, rows: list[dict]) -> None:
    """Insert `rows` into `table` in chunks, one executemany each."""
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(table), rows[start : start + CHUNK])


def seed_people(
    engineers: int, seed: int, progress: Callable[[int], object] = lambda n: None
) -> dict[str, int]:
    """Create the demo accounts, teams, managers and `engineers` engineers; return counts.

    Core bulk inserts, a few statements per 5,000 people; every demo account shares one
    password hash (hashing is the slow part of making an account).
    """
    rng = random.Random(seed)
    pw_hash = hash_password(DEMO_PASSWORD)  # one hash for every demo account
    names = team_names(engineers)
    _insert(Team.__table__, [{"name": n} for n in names])
    team_ids = dict(db.session.execute(db.select(Team.name, Team.id)).all())
    people: list[tuple[dict, set[Role]]] = []

    def person(email: str, name: str, roles: set[Role], team: str | None) -> None:
        row = {"email": email, "name": name, "password_hash": pw_hash}
        people.append((row | {"team_id": team_ids[team] if team else None}, roles))

    for email, name, roles, team in DEMO_ACCOUNTS:
        person(email, name, roles, team)
    leads = {"Payments": "manager@example.com"}
    for team_name, (email, name) in TEAM_MANAGERS.items():
        person(email, name, {Role.MANAGER, Role.ENGINEER}, team_name)
        leads[team_name] = email
    fresh = distinct_names(rng, {row["name"] for row, _ in people})
    for team_name in names[len(TEAMS) :]:
        email = f"lead.{team_name.lower().replace(' ', '-')}@example.com"
        person(email, next(fresh), {Role.MANAGER, Role.ENGINEER}, team_name)
        leads[team_name] = email
    for i in range(engineers):
        name = next(fresh)
        person(email_for(name, i + 1), name, {Role.ENGINEER}, names[rng.randrange(len(names))])
    others = len(people) - engineers  # the engineers come last
    for start in range(0, len(people), CHUNK):
        end = min(start + CHUNK, len(people))
        _insert(User.__table__, [row for row, _ in people[start:end]])
        progress(max(0, end - max(start, others)))
    by_email = dict(db.session.execute(db.select(User.email, User.id)).all())
    roles = [
        {"user_id": by_email[row["email"]], "role": role}
        for row, held in people
        for role in sorted(held)
    ]
    for start in range(0, len(roles), CHUNK):
        db.session.execute(insert(UserRole.__table__), roles[start : start + CHUNK])
    links = [{"team_id": team_ids[t], "user_id": by_email[e]} for t, e in leads.items()]
    db.session.execute(insert(TeamManager.__table__), links)
    engineering = sum(Role.ENGINEER in held for _, held in people)
    return {"teams": len(names), "people": len(people), "engineers": engineering}


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
@click.option(
    "--evidence",
    default=0,
    show_default=True,
    type=click.IntRange(0, 200),
    help="About this many pieces of evidence per engineer, on average, by adding practice "
    "attempts that do not pass (0: only what their path gives, about 7).",
)
def seed_command(engineers: int, seed: int, evidence: int) -> None:
    """Load the demo organisation into an empty database."""
    if current_app.config["ENV_NAME"] == "production":
        click.echo("Error: demo seed refuses to run in production.", err=True)
        sys.exit(1)
    if db.session.scalar(db.select(func.count()).select_from(User)):
        click.echo("The database already has people; the demo organisation was not loaded.")
        return
    with _progress(engineers, "People") as bar:
        counts = seed_people(engineers, seed, progress=bar)
    catalogue = load_default_catalogue()
    with _progress(counts["engineers"], "History") as bar:
        history = generate_history(seed, today(), evidence=evidence, progress=bar)
    audit.record("demo.seed", detail=f"engineers={engineers} seed={seed} evidence={evidence}")
    if sys.stderr.isatty():  # the commit works out everyone's readiness: a minute at 100,000
        click.echo("Working out everyone's readiness from the evidence...", err=True)
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


@contextmanager
def _progress(length: int, label: str) -> Iterator[Callable[[int], object]]:
    """Yield a callback that advances a progress bar on stderr, shown only on a terminal."""
    if not sys.stderr.isatty():
        yield lambda n: None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar.update
