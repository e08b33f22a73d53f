"""The roster upload page: check a CSV (dry run) or import it."""

from __future__ import annotations

import smtplib

from flask import redirect, render_template, url_for
from werkzeug.wrappers import Response

from tracker import audit, import_report
from tracker.admin import bp
from tracker.admin.forms import RosterForm
from tracker.admin.roster import RosterError
from tracker.admin.roster_apply import import_roster
from tracker.auth.links import send_link
from tracker.extensions import db
from tracker.form_fields import ApplyForm
from tracker.limits import ROSTER_MAX_BYTES, size_problem
from tracker.models import LinkPurpose, User
from tracker.policy import allowed_by, may_administer


@bp.route("/roster", methods=["GET", "POST"])
@allowed_by(may_administer)
def roster() -> Response | tuple[str, int] | str:
    """Upload a roster; show every problem, what would change, or (after a redirect) what did."""
    form = RosterForm()
    if not form.validate_on_submit():
        page = render_template("admin/roster.html", form=form, **import_report.take())
        return page, 400 if form.errors else 200
    data = form.file.data.read(ROSTER_MAX_BYTES + 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        errors = ["the file is not UTF-8 text (save it as CSV UTF-8)"]
        return render_template("admin/roster.html", form=form, errors=errors), 422
    return _import(form, text, form.file.data.filename or "", form.dry_run.data)


@bp.post("/roster/apply")
@allowed_by(may_administer)
def roster_apply() -> Response | tuple[str, int] | str:
    """Apply a roster a dry run checked (sent back as text; it is checked again)."""
    sent = ApplyForm()
    if not sent.validate_on_submit():
        errors = ["There was no checked roster to apply."]
        return render_template("admin/roster.html", form=RosterForm(), errors=errors), 400
    return _import(RosterForm(), sent.content.data, sent.filename.data or "", dry_run=False)


def _import(
    form: RosterForm, text: str, filename: str, dry_run: bool
) -> Response | tuple[str, int] | str:
    """Import the roster whole or not at all; a dry run shows what it would change, with Apply."""
    try:
        if problem := size_problem(len(text.encode()), ROSTER_MAX_BYTES):
            raise RosterError([problem])
        report = import_roster(text)
    except RosterError as error:
        db.session.rollback()
        return render_template("admin/roster.html", form=form, errors=error.errors), 422
    if dry_run:  # changes nothing, so the answer is the page itself
        db.session.rollback()
        apply = {"url": url_for("admin.roster_apply"), "content": text, "filename": filename}
        return render_template(
            "admin/roster.html", form=form, report_lines=report.lines(), dry_run=True, apply=apply
        )
    db.session.commit()
    import_report.keep(report.lines() + _invite(report.added))
    return redirect(url_for("admin.roster"), 303)


def _invite(emails: list[str]) -> list[str]:
    """Send each person the import added an invitation to set their password; say how it went.

    The import is committed first: a mail that fails leaves the people in, and says whom to
    invite from their page.
    """
    if not emails:
        return []
    sent, failed = 0, []
    for user in db.session.scalars(db.select(User).where(User.email.in_(emails))):
        try:
            send_link(user, LinkPurpose.INVITATION)
        except (smtplib.SMTPException, OSError):  # the person stays, uninvited
            db.session.rollback()
            failed.append(user.email)
            continue
        audit.record("person.invited", user.email, LinkPurpose.INVITATION.value)
        db.session.commit()
        sent += 1
    lines = [f"Invitations to set a password sent to {sent} new {_people(sent)}."]
    if failed:
        lines.append(
            f"No invitation could be sent to {', '.join(failed)}: invite them from their page."
        )
    return lines


def _people(n: int) -> str:
    return "person" if n == 1 else "people"
