"""Assign a learning path to engineers: several at once, or a whole team, with a due date."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker import policy
from tracker.clock import today
from tracker.extensions import db
from tracker.models import LearningPath, Role, Team, User
from tracker.operations import Assigned, RecordError
from tracker.operations import assign as assign_path
from tracker.policy import allowed_by
from tracker.query_args import as_id
from tracker.team import bp


def assignable(viewer: User) -> list[User]:
    """Engineers the viewer may assign: their teams' (managers), everyone's (L&D, admins)."""
    query = db.select(User).where(User.active.is_(True), User.role_links.any(role=Role.ENGINEER))
    teams = policy.visible_team_ids(viewer)
    if teams is not None:
        query = query.where(User.team_id.in_(teams))
    return list(db.session.scalars(query.order_by(User.name)))


def _chosen(people: list[User]) -> list[User]:
    ids = {i for i in map(as_id, request.form.getlist("engineers")) if i is not None}
    team = as_id(request.form.get("team", ""))
    return [p for p in people if p.id in ids or (team is not None and p.team_id == team)]


@bp.route("/assign", methods=["GET", "POST"])
@allowed_by(policy.may_assign_paths)
def assign() -> Response | str | tuple[str, int]:
    """Assign a path to engineers you may assign, with an optional due date."""
    viewer = current_user._get_current_object()
    people = assignable(viewer)
    paths = db.session.scalars(
        db.select(LearningPath)
        .where(LearningPath.archived_at.is_(None))
        .order_by(LearningPath.name)
    ).all()
    team_ids = {p.team_id for p in people if p.team_id}
    teams = db.session.scalars(
        db.select(Team).where(Team.id.in_(team_ids)).order_by(Team.name)
    ).all()
    page = {"people": people, "paths": paths, "teams": teams}
    if request.method == "GET":
        return render_template("team/assign.html", **page)
    path = next((p for p in paths if p.key == request.form.get("path")), None)
    chosen = _chosen(people)
    try:
        due = date.fromisoformat(request.form["due_on"]) if request.form.get("due_on") else None
    except ValueError:
        due = None
        flash("The due date must be a date like 2027-03-31.", "error")
        return render_template("team/assign.html", **page), 422
    if path is None or not chosen:
        flash("Choose a path and at least one engineer (or a team).", "error")
        return render_template("team/assign.html", **page), 422
    return _assign(viewer, path, chosen, due, page)


def _assign(
    viewer: User,
    path: LearningPath,
    chosen: list[User],
    due: date | None,
    page: dict,  # type: ignore[type-arg]
) -> Response | tuple[str, int]:
    outcomes: dict[Assigned, list[str]] = {outcome: [] for outcome in Assigned}
    try:
        for person in chosen:
            policy.require(policy.may_assign(viewer, person), "You may not assign this person.")
            outcomes[assign_path(person, path, viewer, due, today())].append(person.name)
    except RecordError as error:
        db.session.rollback()
        flash(f"Nothing was assigned. {error}", "error")
        return render_template("team/assign.html", **page), 422
    db.session.commit()
    flash(*assignment_message(path, outcomes, due))
    return redirect(url_for("team.assign"))


def assignment_message(
    path: LearningPath, outcomes: dict[Assigned, list[str]], due: date | None
) -> tuple[str, str]:
    """Return the message and its category: success only when something changed."""
    added, redated, unchanged = (outcomes[o] for o in Assigned)
    parts = []
    if added:
        parts.append(f"Assigned {path.name} to {_people(added)}.")
    if redated and due:
        parts.append(f"{_people(redated)} already on it: due date now {due.isoformat()}.")
    if unchanged:
        parts.append(f"{_people(unchanged)} already on it; nothing changed for them.")
    return " ".join(parts), "success" if added or redated else "info"


def _people(names: list[str]) -> str:
    if len(names) <= 3:
        return ", ".join(names)
    return f"{', '.join(names[:3])} and {len(names) - 3} more"
