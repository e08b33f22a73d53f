"""The roster upload page: check a CSV (dry run) or import it."""

from __future__ import annotations

from flask import render_template

from tracker.admin import bp
from tracker.admin.forms import RosterForm
from tracker.admin.roster import RosterError
from tracker.admin.roster_apply import import_roster
from tracker.extensions import db
from tracker.models import Role
from tracker.policy import role_required

MAX_ROSTER_BYTES = 5 * 1024 * 1024


@bp.route("/roster", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def roster() -> tuple[str, int] | str:
    """Upload a roster; show every problem, or what changed (or would change)."""
    form = RosterForm()
    if not form.validate_on_submit():
        return render_template("admin/roster.html", form=form), 400 if form.errors else 200
    data = form.file.data.read(MAX_ROSTER_BYTES + 1)
    try:
        if len(data) > MAX_ROSTER_BYTES:
            raise RosterError(["the file is larger than 5 MB"])
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise RosterError(["the file is not UTF-8 text (save it as CSV UTF-8)"]) from None
        report = import_roster(text)
    except RosterError as error:
        db.session.rollback()
        return render_template("admin/roster.html", form=form, errors=error.errors), 422
    if form.dry_run.data:
        db.session.rollback()
    else:
        db.session.commit()
    return render_template("admin/roster.html", form=form, report=report, dry_run=form.dry_run.data)
