"""Apply a validated roster: upsert people by email, create teams, link managers."""

from __future__ import annotations

from tracker import audit
from tracker.admin.people import active_admins_besides
from tracker.admin.roster import (
    RosterError,
    RosterReport,
    RosterRow,
    existing_roles,
    parse_roster,
)
from tracker.extensions import db
from tracker.models import Role, Team, TeamManager, User


def _teams_by_name(rows: list[RosterRow], report: RosterReport) -> dict[str, Team]:
    names = {row.team for row in rows if row.team}
    teams = {t.name: t for t in db.session.scalars(db.select(Team).where(Team.name.in_(names)))}
    for name in sorted(names - teams.keys()):
        teams[name] = Team(name=name)
        db.session.add(teams[name])
        report.teams_created.append(name)
    db.session.flush()
    return teams


def _upsert(row: RosterRow, user: User | None, team_id: int | None, report: RosterReport) -> User:
    if user is None:
        user = User(email=row.email, name=row.name, team_id=team_id)
        user.set_roles(set(row.roles))
        db.session.add(user)
        report.added.append(row.email)
        return user
    changes = []
    if user.name != row.name:
        user.name, changes = row.name, changes + ["name"]
    if user.team_id != team_id:
        user.team_id, changes = team_id, changes + ["team"]
    if user.roles != row.roles:
        user.set_roles(set(row.roles))
        changes.append("roles")
    if changes:
        report.changed[row.email] = changes
    else:
        report.unchanged += 1
    return user


def _demoted_admins(rows: list[RosterRow], people: dict[str, User]) -> list[RosterRow]:
    """Return the rows that take the admin role from an active admin."""
    return [
        row
        for row in rows
        if (user := people.get(row.email)) is not None
        and user.active
        and Role.ADMIN in user.roles
        and Role.ADMIN not in row.roles
    ]


def _keep_an_admin(demoted: list[RosterRow]) -> None:
    """Refuse a file that, once applied, leaves no active admin."""
    if demoted and not active_admins_besides([]):
        raise RosterError(
            [
                f"line {row.line}, column roles: {row.email} is an active admin and the file "
                "leaves no other; keep the admin role for someone"
                for row in demoted
            ]
        )


def import_roster(text: str) -> RosterReport:
    """Validate the whole file, then apply it; raise RosterError (nothing applied) on problems."""
    rows = parse_roster(text, existing_roles)
    report = RosterReport()
    teams = _teams_by_name(rows, report)
    emails = {r.email for r in rows} | {r.manager_email for r in rows if r.manager_email}
    people = {u.email: u for u in db.session.scalars(db.select(User).where(User.email.in_(emails)))}
    demoted = _demoted_admins(rows, people)
    for row in rows:
        team_id = teams[row.team].id if row.team else None
        people[row.email] = _upsert(row, people.get(row.email), team_id, report)
    db.session.flush()
    _keep_an_admin(demoted)
    team_ids = [team.id for team in teams.values()]
    links = set(
        db.session.execute(
            db.select(TeamManager.team_id, TeamManager.user_id).where(
                TeamManager.team_id.in_(team_ids)
            )
        ).all()
    )
    for row in rows:
        if row.manager_email:
            pair = (teams[row.team].id, people[row.manager_email].id)
            if pair not in links:
                links.add(pair)
                db.session.add(TeamManager(team_id=pair[0], user_id=pair[1]))
                report.managers_linked.append(f"{row.manager_email} manages {row.team}")
    db.session.flush()
    audit.record("roster.imported", "", report.lines()[0])
    return report
