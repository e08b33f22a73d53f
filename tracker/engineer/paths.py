"""Paths and self-assessment: roles ordered by readiness with the paths that lead there."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker import policy
from tracker.clock import today
from tracker.engineer import bp
from tracker.extensions import db
from tracker.models import Competency, Enrolment, LearningPath
from tracker.operations import RecordError, enrol, leave, set_claims
from tracker.policy import allowed_by
from tracker.reads.catalogue import load_catalogue
from tracker.reads.progress import progress_of


@bp.get("/paths")
@allowed_by(policy.may_keep_records)
def paths() -> str:
    """Target roles, closest first, each with its paths; yours marked, with how they go."""
    catalogue = load_catalogue()
    progress = progress_of(current_user.id, today(), catalogue)
    by_role: dict[str, list[str]] = {}
    for key, plan in catalogue.paths.items():
        by_role.setdefault(plan.role, []).append(key)
    mine = {p.path: p for p in progress.paths}
    return render_template(
        "engineer/paths.html",
        progress=progress,
        by_role=by_role,
        mine=mine,
        names=catalogue.names,
        urls=catalogue.urls,
    )


@bp.post("/paths/<key>/enrol")
@allowed_by(policy.may_keep_records)
def enrol_path(key: str) -> Response:
    """Enrol yourself on a path."""
    path = db.session.scalar(db.select(LearningPath).where(LearningPath.key == key))
    if path is None:
        abort(404)
    me = current_user._get_current_object()
    try:
        enrol(me, path, me, None, today())
    except RecordError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("engineer.paths"))
    db.session.commit()
    flash(f"You are on {path.name}.", "success")
    return redirect(url_for("engineer.paths"))


@bp.post("/paths/<key>/leave")
@allowed_by(policy.may_keep_records)
def leave_path(key: str) -> Response:
    """Leave a path; your evidence stays and still counts."""
    enrolment = db.session.scalar(
        db.select(Enrolment)
        .join(LearningPath)
        .where(
            LearningPath.key == key,
            Enrolment.user_id == current_user.id,
            Enrolment.left_at.is_(None),
        )
    )
    if enrolment is None:
        abort(404)
    leave(enrolment, current_user._get_current_object())
    db.session.commit()
    flash("You left the path. Your evidence stays and still counts.", "success")
    return redirect(url_for("engineer.paths"))


@bp.route("/self-assessment", methods=["GET", "POST"])
@allowed_by(policy.may_keep_records)
def self_assessment() -> Response | str | tuple[str, int]:
    """Claim a level per competency; shown beside the demonstrated level, never counted."""
    competencies = db.session.execute(
        db.select(Competency.id, Competency.key, Competency.name)
        .where(Competency.archived_at.is_(None))
        .order_by(Competency.name)
    ).all()
    if request.method == "POST":
        claims = {}
        for cid, _, _ in competencies:
            value = request.form.get(f"level-{cid}", "")
            if value:
                if value not in {"0", "1", "2", "3", "4"}:
                    flash("Each level must be 0 to 4; nothing was saved.", "error")
                    return redirect(url_for("engineer.self_assessment"))
                claims[cid] = int(value)
        set_claims(current_user._get_current_object(), claims)
        db.session.commit()
        flash("Saved. Claimed levels are shown beside what you have demonstrated.", "success")
        return redirect(url_for("engineer.self_assessment"))
    progress = progress_of(current_user.id, today())
    return render_template(
        "engineer/self_assessment.html", competencies=competencies, progress=progress
    )
