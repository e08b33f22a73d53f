"""The team dashboard: a team's readiness for a role as of a date, engineers, targets."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker import audit
from tracker.access import can_see_engineer, can_see_team, managed_team_ids, role_required
from tracker.extensions import db
from tracker.models import Role, StaffingTarget, TargetRole, Team, User, utcnow
from tracker.progress import compute_progress
from tracker.queries import load_catalogue, load_people
from tracker.team import bp
from tracker.team.chart_views import CHARTS, chart_data
from tracker.team.readiness import team_readiness

SORTS = {
    "name": lambda r: (r.name.lower(),),
    "readiness": lambda r: (-r.readiness, r.name.lower()),
    "projected": lambda r: (r.projected_ready_on is None, r.projected_ready_on or date.max),
    "activity": lambda r: (r.last_activity is None, -(r.last_activity or date.min).toordinal()),
}


def visible_teams(viewer: User) -> list[Team]:
    """Teams the viewer may open: the ones they manage; every team for L&D and admins."""
    query = db.select(Team).order_by(Team.name)
    if not viewer.has_role(Role.LD, Role.ADMIN):
        query = query.where(Team.id.in_(managed_team_ids(viewer)))
    return list(db.session.scalars(query))


def default_role(team_id: int, roles: list[str]) -> str:
    """The role of the team's earliest live staffing target, else the first role."""
    key = db.session.scalar(
        db.select(TargetRole.key)
        .join(StaffingTarget, StaffingTarget.role_id == TargetRole.id)
        .where(
            StaffingTarget.team_id == team_id,
            StaffingTarget.archived_at.is_(None),
            TargetRole.archived_at.is_(None),
        )
        .order_by(StaffingTarget.by)
        .limit(1)
    )
    return key if key in roles else roles[0]


def _as_of() -> date:
    try:
        value = date.fromisoformat(request.args.get("as_of", ""))
    except ValueError:
        return date.today()
    return min(value, date.today())


@bp.get("/")
@role_required(Role.MANAGER, Role.LD)
def dashboard_home() -> Response | str:
    """Open the first team the viewer may see."""
    teams = visible_teams(current_user)
    if not teams:
        return render_template("team/no_team.html")
    return redirect(url_for("team.dashboard", team_id=teams[0].id))


@bp.get("/<int:team_id>/")
@role_required(Role.MANAGER, Role.LD)
def dashboard(team_id: int) -> str:
    """Engineers per band, and each engineer's readiness, projection and last activity."""
    team = db.session.get(Team, team_id)
    if team is None or not can_see_team(current_user, team_id):
        abort(404)
    catalogue = load_catalogue()
    if not catalogue.roles:
        return render_template("team/no_roles.html", team=team)
    role = request.args.get("role", "")
    role = role if role in catalogue.roles else default_role(team_id, sorted(catalogue.roles))
    sort = request.args.get("sort", "readiness")
    result = team_readiness(team, role, _as_of(), catalogue)
    rows = sorted(result.engineers, key=SORTS.get(sort, SORTS["readiness"]))
    figures = {name: chart_data(name, team, role, result.as_of, catalogue) for name in CHARTS}
    return render_template(
        "team/dashboard.html",
        result=result,
        rows=rows,
        sort=sort,
        names=catalogue.names,
        roles=sorted(catalogue.roles, key=lambda k: catalogue.names.get(k, k)),
        teams=visible_teams(current_user),
        may_set_targets=team_id in managed_team_ids(current_user),
        figures=figures,
    )


@bp.get("/engineers/<int:user_id>")
@role_required(Role.MANAGER, Role.LD)
def engineer_progress(user_id: int) -> str:
    """One engineer's progress, read only, for their manager or L&D."""
    engineer = db.session.get(User, user_id)
    if (
        engineer is None
        or engineer.id == current_user.id
        or not can_see_engineer(current_user, engineer)
    ):
        abort(404)
    catalogue = load_catalogue()
    as_of = _as_of()
    progress = compute_progress(catalogue, load_people([user_id])[user_id], as_of)
    return render_template(
        "team/engineer.html", engineer=engineer, progress=progress, names=catalogue.names
    )


@bp.post("/<int:team_id>/targets")
@role_required(Role.MANAGER)
def add_target(team_id: int) -> Response:
    """Set a staffing target: N people ready for a role by a date (the team's managers)."""
    if team_id not in managed_team_ids(current_user):
        abort(404)
    role_key = request.form.get("role", "")
    role = db.session.scalar(
        db.select(TargetRole).where(TargetRole.key == role_key, TargetRole.archived_at.is_(None))
    )
    count, by = request.form.get("count", ""), request.form.get("by", "")
    try:
        target_date = date.fromisoformat(by)
    except ValueError:
        target_date = None
    if (
        role is None
        or not count.isdigit()
        or not 1 <= int(count) <= 1000
        or target_date is None
        or target_date <= date.today()
    ):
        flash(
            "A target needs a role, a number of people from 1 to 1000 and a future date; "
            "nothing was saved.",
            "error",
        )
        return redirect(url_for("team.dashboard", team_id=team_id, role=role_key))
    db.session.add(
        StaffingTarget(
            team_id=team_id,
            role_id=role.id,
            count=int(count),
            by=target_date,
            created_by_id=current_user.id,
        )
    )
    audit.record("target.set", f"team {team_id}", f"{count} {role.key} by {target_date}")
    db.session.commit()
    flash("Staffing target saved.", "success")
    return redirect(url_for("team.dashboard", team_id=team_id, role=role.key))


@bp.post("/<int:team_id>/targets/<int:target_id>/archive")
@role_required(Role.MANAGER)
def archive_target(team_id: int, target_id: int) -> Response:
    """Retire a staffing target; it stays on record."""
    target = db.session.get(StaffingTarget, target_id)
    if target is None or target.team_id != team_id or team_id not in managed_team_ids(current_user):
        abort(404)
    target.archived_at = utcnow()
    audit.record("target.archived", f"team {team_id}", f"target {target_id}")
    db.session.commit()
    flash("Staffing target retired.", "success")
    return redirect(url_for("team.dashboard", team_id=team_id))
