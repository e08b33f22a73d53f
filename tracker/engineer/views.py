"""Log evidence; list it with what it means and who decided it; withdraw what is still pending."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from tracker import policy
from tracker.clock import today
from tracker.engineer import bp
from tracker.engineer.forms import LogForm
from tracker.extensions import db
from tracker.models import Evidence, EvidenceStatus, Module, User
from tracker.operations import (
    AttemptInput,
    CompletionInput,
    RecordError,
    record_attempt,
    record_completion,
)
from tracker.operations import withdraw as withdraw_evidence
from tracker.policy import allowed_by
from tracker.query_args import as_id
from tracker.reads.catalogue import load_catalogue
from tracker.reads.evidence import evidence_of
from tracker.reads.progress import Progress, progress_of, readiness_changes

FIELD_OF = {
    "date": "on",
    "module": "module",
    "score": "score",
    "hours": "hours",
    "evidence_url": "evidence_url",
}


def _record(form: LogForm, me: User, module: Module) -> Evidence:
    url, notes, hours = form.evidence_url.data or "", form.notes.data or "", form.hours.data
    if form.kind.data == "attempt":
        attempt = AttemptInput(form.on.data, form.score.data, hours, url, notes)
        return record_attempt(me, module, attempt, me, today())
    entry = CompletionInput(form.on.data, hours, url, notes)
    return record_completion(me, module, entry, me, today())


@bp.route("/log", methods=["GET", "POST"])
@allowed_by(policy.may_keep_records)
def log() -> Response | str | tuple[str, int]:
    """Log a completion or an assessment attempt, and say what it changed."""
    form = LogForm()
    if form.validate_on_submit():
        me: User = current_user._get_current_object()
        module = db.session.scalar(db.select(Module).where(Module.key == form.module.data))
        if module is None:
            abort(404)
        catalogue = load_catalogue()
        before = progress_of(me.id, today(), catalogue)
        try:
            evidence = _record(form, me, module)
        except RecordError as error:
            db.session.rollback()
            for name, why in error.fields.items():
                getattr(form, FIELD_OF.get(name, "module")).errors.append(why)
            return render_template("engineer/log.html", form=form), 422
        after = progress_of(me.id, today(), catalogue)
        message = logged_message(evidence, module, before, after, catalogue.names, me)
        db.session.commit()
        flash(message, "success")
        return redirect(url_for("engineer.evidence"))
    again = _rejected(request.args.get("again", ""))
    if request.method == "GET":
        if again is not None:
            form.copy(again, db.session.get_one(Module, again.module_id).key)
        else:
            form.choose(request.args.get("module", ""))
    status = 422 if form.errors else 200
    return render_template("engineer/log.html", form=form, again=again), status


def _rejected(value: str) -> Evidence | None:
    """Return the viewer's own rejected evidence `value` names, to send again; else None."""
    evidence_id = as_id(value)
    item = db.session.get(Evidence, evidence_id) if evidence_id is not None else None
    me = current_user._get_current_object()
    if item is None or item.status is not EvidenceStatus.REJECTED:
        return None
    return item if policy.may_send_again(me, item.user_id) else None


def logged_message(
    evidence: Evidence,
    module: Module,
    before: Progress,
    after: Progress,
    names: dict[str, str],
    me: User,
) -> str:
    """Say what logging changed: readiness before and after, or why it did not change."""
    if evidence.status is EvidenceStatus.PENDING:
        who = policy.deciders_of(me, me.id)
        decider = "your manager" if who.managers else "L&D"
        return (
            "Logged. It is waiting for verification: your readiness does not change until then. "
            f"It counts once {decider} verifies it."
        )
    if evidence.passed is False:
        return (
            f"Logged: {evidence.score}% is below the pass mark of {module.pass_mark}%. "
            "You can try again."
        )
    changes = readiness_changes(before, after)
    if not changes:
        return "Logged. It added no level you did not already have, so your readiness is unchanged."
    each = "; ".join(
        f"{names.get(role, role)}: {was:.1f}% → {now:.1f}%" for role, was, now in changes
    )
    return f"Logged. Readiness for {each}."


@bp.get("/evidence")
@allowed_by(policy.may_keep_records)
def evidence() -> str:
    """Every piece of your evidence, newest first, with what it means and who decided it."""
    catalogue = load_catalogue()
    return render_template(
        "engineer/evidence.html",
        rows=evidence_of(current_user.id, catalogue),
        names=catalogue.names,
        urls=catalogue.urls,
    )


@bp.post("/evidence/<int:evidence_id>/withdraw")
@login_required
def withdraw(evidence_id: int) -> Response:
    """Withdraw your own pending evidence; the record stays, marked withdrawn.

    Who may see the evidence but not withdraw it is refused (403); anyone else finds nothing.
    """
    me: User = current_user._get_current_object()
    item = db.session.get(Evidence, evidence_id)
    subject = db.session.get(User, item.user_id) if item is not None else None
    if item is None or subject is None or not policy.may_see_engineer(me, subject):
        raise policy.NotVisible(f"There is no evidence {evidence_id} you can see.")
    policy.require(
        policy.may_withdraw(me, item.user_id), "Only its engineer may withdraw evidence."
    )
    try:
        withdraw_evidence(item, me)
    except RecordError as error:
        flash(str(error), "error")
        return redirect(url_for("engineer.evidence"))
    db.session.commit()
    flash("Withdrawn. It no longer waits for verification.", "success")
    return redirect(url_for("engineer.evidence"))
