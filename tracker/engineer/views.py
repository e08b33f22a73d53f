"""Log evidence; list it with its status; withdraw what is still pending."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.access import role_required
from tracker.engineer import bp
from tracker.engineer.forms import LogForm
from tracker.extensions import db
from tracker.models import Evidence, Module, Role, User
from tracker.operations import CompletionInput, RecordError, record_attempt, record_completion
from tracker.operations import withdraw as withdraw_evidence

FIELD_OF = {
    "date": "on",
    "module": "module",
    "score": "score",
    "hours": "hours",
    "evidence_url": "evidence_url",
}


@bp.route("/log", methods=["GET", "POST"])
@role_required(Role.ENGINEER)
def log() -> Response | str | tuple[str, int]:
    """Log a completion or an assessment attempt."""
    form = LogForm()
    if form.validate_on_submit():
        me: User = current_user._get_current_object()
        module = db.session.scalar(db.select(Module).where(Module.key == form.module.data))
        if module is None:
            abort(404)
        try:
            if form.kind.data == "attempt":
                evidence = record_attempt(
                    me,
                    module,
                    form.on.data,
                    form.score.data,
                    me,
                    date.today(),
                    form.evidence_url.data or "",
                )
            else:
                entry = CompletionInput(
                    form.on.data,
                    form.hours.data,
                    form.evidence_url.data or "",
                    form.notes.data or "",
                )
                evidence = record_completion(me, module, entry, me, date.today())
        except RecordError as error:
            db.session.rollback()
            for name, why in error.fields.items():
                getattr(form, FIELD_OF.get(name, "module")).errors.append(why)
            return render_template("engineer/log.html", form=form), 422
        db.session.commit()
        flash(_logged_message(evidence), "success")
        return redirect(url_for("engineer.evidence"))
    status = 422 if form.errors else 200
    return render_template("engineer/log.html", form=form), status


def _logged_message(evidence: Evidence) -> str:
    if evidence.status.value == "pending":
        return "Logged. It counts once your manager verifies it."
    if evidence.passed is False:
        return f"Logged: {evidence.score}% is below the pass mark. You can try again."
    return "Logged. It counts toward your readiness now."


@bp.get("/evidence")
@role_required(Role.ENGINEER)
def evidence() -> str:
    """Every piece of your evidence, newest first, with its status."""
    rows = db.session.execute(
        db.select(Evidence, Module.title, User.name)
        .join(Module, Module.id == Evidence.module_id)
        .outerjoin(User, User.id == Evidence.decided_by_id)
        .where(Evidence.user_id == current_user.id)
        .order_by(Evidence.date.desc(), Evidence.id.desc())
    ).all()
    return render_template("engineer/evidence.html", rows=rows)


@bp.post("/evidence/<int:evidence_id>/withdraw")
@role_required(Role.ENGINEER)
def withdraw(evidence_id: int) -> Response:
    """Withdraw your own pending evidence; the record stays, marked withdrawn."""
    item = db.session.get(Evidence, evidence_id)
    if item is None or item.user_id != current_user.id:
        abort(404)
    try:
        withdraw_evidence(item, current_user._get_current_object())
    except RecordError as error:
        flash(str(error), "error")
        return redirect(url_for("engineer.evidence"))
    db.session.commit()
    flash("Withdrawn. It no longer waits for verification.", "success")
    return redirect(url_for("engineer.evidence"))
