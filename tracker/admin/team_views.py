"""Admin pages for teams and the audit trail."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import func
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from tracker.admin import bp
from tracker.admin.forms import TeamForm
from tracker.admin.people import save_team
from tracker.extensions import db
from tracker.models import AuditEvent, Team, TeamManager, User
from tracker.policy import allowed_by, may_administer
from tracker.query_args import page_arg, sort_arg

TEAM_SORTS = {"name": "ascending", "people": "descending"}  # each column's first order


@bp.get("/teams")
@allowed_by(may_administer)
def teams() -> str:
    """List teams with their member counts and managers, by name or by people."""
    counts = dict(
        db.session.execute(
            db.select(User.team_id, func.count(User.id))
            .where(User.active.is_(True))
            .group_by(User.team_id)
        ).all()
    )
    sort = sort_arg(TEAM_SORTS, "name")
    people = (
        db.select(func.count(User.id))
        .where(User.team_id == Team.id, User.active.is_(True))
        .scalar_subquery()
    )
    if sort.column == "people":
        order = [*sort.order_by(people, descending=True), Team.name, Team.id]
    else:
        order = sort.order_by(Team.name, Team.id)
    rows = db.session.scalars(
        db.select(Team).options(selectinload(Team.managers)).order_by(*order)
    ).all()
    return render_template(
        "admin/teams.html", teams=rows, counts=counts, sort=sort.arg, first_order=TEAM_SORTS
    )


@bp.route("/teams/new", methods=["GET", "POST"])
@allowed_by(may_administer)
def team_new() -> Response | str:
    """Create a team and choose its managers."""
    form = TeamForm()
    if form.validate_on_submit():
        team = save_team(None, form.name.data, set(form.managers.data or []))
        db.session.commit()
        flash(f"Team {team.name} created.", "success")
        return redirect(url_for("admin.teams"))
    return render_template("admin/team_form.html", form=form, team=None, members=[])


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
@allowed_by(may_administer)
def team_edit(team_id: int) -> Response | str:
    """Rename a team, change its managers, and see its members."""
    team = db.get_or_404(Team, team_id)
    form = TeamForm(team_id=team.id, name=team.name)
    if request.method == "GET":
        form.managers.data = list(
            db.session.scalars(db.select(TeamManager.user_id).where(TeamManager.team_id == team.id))
        )
    if form.validate_on_submit():
        save_team(team, form.name.data, set(form.managers.data or []))
        db.session.commit()
        flash(f"Team {team.name} saved.", "success")
        return redirect(url_for("admin.team_edit", team_id=team.id))
    members = db.session.scalars(
        db.select(User).where(User.team_id == team.id).order_by(User.name)
    ).all()
    return render_template("admin/team_form.html", form=form, team=team, members=members)


@bp.get("/audit")
@allowed_by(may_administer)
def audit() -> str:
    """The audit trail, newest first, filtered by action and actor."""
    action = request.args.get("action", "").strip()
    actor = request.args.get("actor", "").strip().lower()
    query = db.select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    if actor:
        query = query.where(AuditEvent.actor_email == actor)
    page = db.paginate(query, page=page_arg(), per_page=100, error_out=False)
    return render_template("admin/audit.html", page=page, action=action, actor=actor)
