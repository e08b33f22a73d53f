"""The roster CSV (`email,name,team,manager_email,roles`): validate whole, then apply whole.

`parse_roster` is pure: text in, rows or every error out. `apply_roster` upserts by email
(add + flush; the caller commits, or rolls back for a dry run) and reports what changed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from tracker.emails import is_email
from tracker.extensions import db
from tracker.models import Role, User

COLUMNS = ("email", "name", "team", "manager_email", "roles")
ROLE_VALUES = {r.value for r in Role}


class RosterError(ValueError):
    """The file cannot be imported; `errors` holds every problem, one line each."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the roster file")
        self.errors = errors


@dataclass(frozen=True)
class RosterRow:
    """One valid line of the file."""

    line: int
    email: str
    name: str
    team: str
    manager_email: str
    roles: frozenset[Role]


@dataclass
class RosterReport:
    """What an import did (or, in a dry run, would do)."""

    added: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    unchanged: int = 0
    teams_created: list[str] = field(default_factory=list)
    managers_linked: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Return the report as lines a person reads."""
        out = [
            f"{len(self.added)} added, {len(self.changed)} changed, {self.unchanged} unchanged; "
            f"{len(self.teams_created)} teams created, "
            f"{len(self.managers_linked)} manager links added"
        ]
        out += [f"  add {email}" for email in self.added]
        out += [f"  change {email}: {', '.join(f)}" for email, f in self.changed.items()]
        out += [f"  create team {name}" for name in self.teams_created]
        out += [f"  link {link}" for link in self.managers_linked]
        return out


def _check_header(fieldnames: list[str] | None) -> list[str]:
    names = [n.strip() for n in fieldnames or []]
    missing = [c for c in COLUMNS if c not in names]
    extra = [n for n in names if n not in COLUMNS]
    errors = [f"line 1, column {c}: missing from the header" for c in missing]
    errors += [f"line 1, column {n or '(empty)'}: not a roster column" for n in extra]
    return errors


def _check_row(line: int, raw: dict[str, str]) -> tuple[RosterRow | None, list[str]]:
    values = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
    errors = []
    email, name = values["email"].lower(), values["name"]
    if not is_email(email):
        errors.append(f"line {line}, column email: {values['email']!r} is not an email address")
    if not name or len(name) > 120:
        errors.append(f"line {line}, column name: must be 1 to 120 characters")
    if len(values["team"]) > 120:
        errors.append(f"line {line}, column team: must be at most 120 characters")
    manager = values["manager_email"].lower()
    if manager and not is_email(manager):
        errors.append(f"line {line}, column manager_email: {manager!r} is not an email address")
    if manager and not values["team"]:
        errors.append(f"line {line}, column manager_email: a manager needs a team to manage")
    role_names = [r.strip().lower() for r in values["roles"].split(";") if r.strip()]
    unknown = [r for r in role_names if r not in ROLE_VALUES]
    if unknown or not role_names:
        why = f"unknown role {', '.join(unknown)}" if unknown else "at least one role is needed"
        errors.append(f"line {line}, column roles: {why} (use engineer;manager;ld;admin)")
    if errors:
        return None, errors
    row = RosterRow(
        line, email, name, values["team"], manager, frozenset(Role(r) for r in role_names)
    )
    return row, []


RolesLookup = Callable[[set[str]], dict[str, frozenset[Role]]]


def parse_roster(text: str, roles_of: RolesLookup) -> list[RosterRow]:
    """Return the valid rows of `text`, or raise RosterError listing every problem.

    `roles_of(emails)` tells the roles of people outside the file (named as managers).
    """
    if "\x00" in text:  # no database column holds one (PostgreSQL refuses it)
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise RosterError([f"line {line}: holds a NUL character, which no field may"])
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        return _read_rows(reader, roles_of)
    except csv.Error as error:  # e.g. a field longer than csv.field_size_limit()
        raise RosterError([f"line {reader.line_num + 1}: not readable as CSV ({error})"]) from None


def _read_rows(reader: csv.DictReader[str], roles_of: RolesLookup) -> list[RosterRow]:
    errors = _check_header(reader.fieldnames)
    if errors:
        raise RosterError(errors)
    rows: list[RosterRow] = []
    seen: dict[str, int] = {}
    for raw in reader:
        if None in raw:
            errors.append(f"line {reader.line_num}: more fields than the header has")
            continue
        row, row_errors = _check_row(reader.line_num, raw)
        errors += row_errors
        if row is None:
            continue
        if row.email in seen:
            errors.append(
                f"line {row.line}, column email: {row.email} is also on line {seen[row.email]}"
            )
        seen[row.email] = row.line
        rows.append(row)
    outside = {r.manager_email for r in rows if r.manager_email} - seen.keys()
    errors += _check_managers(rows, roles_of(outside) if outside else {})
    if errors:
        raise RosterError(errors)
    return rows


def _check_managers(rows: list[RosterRow], existing: dict[str, frozenset[Role]]) -> list[str]:
    in_file = {row.email: row.roles for row in rows}
    errors = []
    for row in rows:
        if not row.manager_email:
            continue
        roles = in_file.get(row.manager_email, existing.get(row.manager_email))
        if roles is None:
            errors.append(
                f"line {row.line}, column manager_email: {row.manager_email} is "
                "neither in the file nor an existing person"
            )
        elif Role.MANAGER not in roles:
            errors.append(
                f"line {row.line}, column manager_email: {row.manager_email} "
                "does not have the manager role"
            )
    return errors


def existing_roles(emails: set[str]) -> dict[str, frozenset[Role]]:
    """Return the roles of the people with these emails who already have accounts."""
    people = db.session.scalars(db.select(User).where(User.email.in_(emails)))
    return {user.email: user.roles for user in people}
