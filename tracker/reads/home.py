"""Reads for the home page: small counts per role, in a fixed number of statements."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func

from tracker.extensions import db
from tracker.models import (
    Competency,
    Enrolment,
    Evidence,
    LearningPath,
    Module,
    Notification,
    Role,
    TargetRole,
    Team,
    TeamManager,
    User,
)
from tracker.reads.catalogue import load_catalogue
from tracker.reads.notices import unread
from tracker.reads.progress import Progress, progress_of
from tracker.reads.queue import decidable_teams


@dataclass(frozen=True)
class TeamSummary:
    """A managed team: its name, members and the evidence waiting for this manager."""

    id: int
    name: str
    members: int
    pending: int


@dataclass
class Overview:
    """What the home page shows; a section is None when the person lacks that role."""

    engineer: dict[str, int] | None = None
    progress: Progress | None = None
    names: Mapping[str, str] = field(default_factory=dict)
    urls: Mapping[str, str] = field(default_factory=dict)
    teams: list[TeamSummary] | None = None
    catalogue: dict[str, int] | None = None
    admin: dict[str, int] | None = None
    roles: list[Role] = field(default_factory=list)
    notices: list[Notification] = field(default_factory=list)


def _count(model: type, *where: object) -> int:
    return db.session.scalar(db.select(func.count()).select_from(model).where(*where)) or 0


def engineer_summary(user: User) -> dict[str, int]:
    """Return the engineer's counts of active enrolments and evidence by status."""
    enrolments = _count(Enrolment, Enrolment.user_id == user.id, Enrolment.left_at.is_(None))
    rows = db.session.execute(
        db.select(Evidence.status, func.count())
        .where(Evidence.user_id == user.id)
        .group_by(Evidence.status)
    )
    by_status = {status.value: count for status, count in rows}
    return {"enrolments": enrolments, "evidence": sum(by_status.values()), **by_status}


def managed_teams(user: User) -> list[TeamSummary]:
    """Return the teams `user` manages with their members and the evidence `user` may decide."""
    members = (
        db.select(User.team_id, func.count(User.id).label("n"))
        .where(User.active.is_(True))
        .group_by(User.team_id)
        .subquery()
    )
    rows = db.session.execute(
        db.select(Team.id, Team.name, members.c.n)
        .join(TeamManager, TeamManager.team_id == Team.id)
        .outerjoin(members, members.c.team_id == Team.id)
        .where(TeamManager.user_id == user.id)
        .order_by(Team.name)
    ).all()
    waiting = decidable_teams(user)
    return [TeamSummary(id, name, m or 0, waiting[id]) for id, name, m in rows]


def catalogue_summary() -> dict[str, int]:
    """Return how many live competencies, roles, modules and paths the catalogue has."""
    return {
        "competencies": _count(Competency, Competency.archived_at.is_(None)),
        "roles": _count(TargetRole, TargetRole.archived_at.is_(None)),
        "modules": _count(Module, Module.archived_at.is_(None)),
        "paths": _count(LearningPath, LearningPath.archived_at.is_(None)),
    }


def admin_summary() -> dict[str, int]:
    """Return counts of active people, people without a password yet, and teams."""
    return {
        "people": _count(User, User.active.is_(True)),
        "invited": _count(User, User.active.is_(True), User.password_hash.is_(None)),
        "teams": _count(Team),
    }


def overview_for(user: User, today: date) -> Overview:
    """Return the home-page overview for each role `user` holds."""
    overview = Overview(roles=sorted(user.roles), notices=unread(user))
    if user.has_role(Role.ENGINEER):
        overview.engineer = engineer_summary(user)
        catalogue = load_catalogue()
        overview.progress = progress_of(user.id, today, catalogue)
        overview.names, overview.urls = catalogue.names, catalogue.urls
    if user.has_role(Role.MANAGER):
        overview.teams = managed_teams(user)
    if user.has_role(Role.LD):
        overview.catalogue = catalogue_summary()
    if user.has_role(Role.ADMIN):
        overview.admin = admin_summary()
    return overview
