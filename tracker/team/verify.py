"""The verification queue: evidence waiting for a decision, decided under four eyes."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker import policy
from tracker.extensions import db
from tracker.models import User
from tracker.operations import RecordError, decide
from tracker.policy import allowed_by
from tracker.query_args import as_id, page_arg, sort_arg
from tracker.reads.queue import QUEUE_SORTS, queue, queue_page
from tracker.team import bp

FIRST_ORDER = {column: "ascending" for column in QUEUE_SORTS}  # oldest and A to Z first


def _page(viewer: User, chosen: set[int] | None = None, error: str = "") -> str:
    """The queue page in the order and at the page the query arguments name."""
    sort = sort_arg(QUEUE_SORTS, "date")
    rows = queue_page(viewer, sort, page_arg())
    return render_template(
        "team/verify.html",
        rows=rows,
        may_decide={r.evidence.id for r in rows.items if r.may_decide},
        chosen=chosen or set(),
        reason_error=error,
        reason=request.form.get("reason", ""),
        sorting={
            "sort": sort.arg,
            "first": FIRST_ORDER,
            "endpoint": "team.verify",
            "args": {"page": rows.page} if rows.page > 1 else {},  # as every sortable list
        },
        here={"sort": sort.arg},
    )


def _back() -> str:
    """The queue as the person last saw it: the same order and page."""
    kept = {name: request.args[name] for name in ("sort", "page") if request.args.get(name)}
    return url_for("team.verify", **kept)


@bp.get("/verify")
@allowed_by(policy.may_verify)
def verify() -> str:
    """Pending evidence of the teams you manage (L&D: every team), with who decides each."""
    return _page(current_user._get_current_object())


@bp.post("/verify")
@allowed_by(policy.may_verify)
def decide_evidence() -> Response | tuple[str, int]:
    """Verify or reject the chosen evidence, all of it or none of it."""
    viewer = current_user._get_current_object()
    ids = {i for i in map(as_id, request.form.getlist("evidence")) if i is not None}
    decision = request.form.get("decision")
    reason = request.form.get("reason", "").strip()[:2000]
    if not ids or decision not in ("verified", "rejected"):
        flash("Choose at least one piece of evidence, then verify or reject.", "error")
        return redirect(_back())
    chosen = queue(viewer, only=ids)
    if len(chosen) != len(ids):
        raise policy.NotVisible("Some of that evidence is not in a queue you can see.")
    policy.require(
        all(r.may_decide for r in chosen),
        "Some of that evidence is not yours to decide (four eyes): nothing was changed.",
    )
    if decision == "rejected" and not reason:
        return _page(viewer, ids, "Say why the evidence is rejected: the engineer sees it."), 422
    try:
        for row in chosen:
            decide(row.evidence, viewer, decision == "verified", reason)
    except RecordError as error:
        db.session.rollback()
        flash(f"Nothing was changed. {error}", "error")
        return redirect(_back())
    db.session.commit()
    flash(
        f"{decision.capitalize()} {len(chosen)} piece{'' if len(chosen) == 1 else 's'} "
        "of evidence.",
        "success",
    )
    return redirect(_back())
