"""The verification queue: managers approve or reject their teams' pending evidence."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.access import manages, role_required
from tracker.extensions import db
from tracker.models import Evidence, Role, User
from tracker.operations import RecordError, decide
from tracker.team import bp
from tracker.team.queue import queue_query


@bp.get("/verify")
@role_required(Role.MANAGER, Role.LD)
def verify() -> str:
    """Pending evidence from the engineers of the teams you manage (L&D: every team, read only)."""
    viewer = current_user._get_current_object()
    rows = db.session.execute(queue_query(viewer).order_by(Evidence.date, Evidence.id)).all()
    may_decide = (
        {e.id for e, engineer, _ in rows if engineer.id != viewer.id and manages(viewer, engineer)}
        if viewer.has_role(Role.MANAGER)
        else set()
    )
    return render_template("team/verify.html", rows=rows, may_decide=may_decide)


def _decidable(ids: list[int], manager: User) -> list[Evidence] | None:
    """Return the evidence to decide, or None when any id is not this manager's to decide."""
    rows = db.session.execute(
        db.select(Evidence, User)
        .join(User, User.id == Evidence.user_id)
        .where(Evidence.id.in_(ids))
    ).all()
    if len(rows) != len(set(ids)):
        return None
    for _, engineer in rows:
        if engineer.id == manager.id or not manages(manager, engineer):
            return None
    return [evidence for evidence, _ in rows]


@bp.post("/verify")
@role_required(Role.MANAGER)
def decide_evidence() -> Response | tuple[str, int]:
    """Verify or reject the chosen evidence, all of it or none of it."""
    manager = current_user._get_current_object()
    ids = [int(i) for i in request.form.getlist("evidence") if i.isdigit()]
    decision = request.form.get("decision")
    reason = request.form.get("reason", "").strip()[:2000]
    if not ids or decision not in ("verified", "rejected"):
        flash("Choose at least one piece of evidence, then verify or reject.", "error")
        return redirect(url_for("team.verify"))
    chosen = _decidable(ids, manager)
    if chosen is None:
        flash("Some of that evidence is not yours to decide; nothing was changed.", "error")
        return redirect(url_for("team.verify"))
    try:
        for evidence in chosen:
            decide(evidence, manager, decision == "verified", reason)
    except RecordError as error:
        db.session.rollback()
        flash(f"Nothing was changed: {error}.", "error")
        return redirect(url_for("team.verify"))
    db.session.commit()
    flash(
        f"{decision.capitalize()} {len(chosen)} piece{'' if len(chosen) == 1 else 's'} "
        "of evidence.",
        "success",
    )
    return redirect(url_for("team.verify"))
