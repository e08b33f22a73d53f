"""Nudges: in-app notices, and `flask notify digest` for cron (pending queues, quiet engineers)."""

from __future__ import annotations

import click
from flask import Blueprint, current_app, redirect, request, url_for
from flask.cli import AppGroup
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from tracker import mailer
from tracker.clock import today
from tracker.extensions import db
from tracker.models import utcnow
from tracker.reads.notices import QUIET_DAYS, quiet_engineers, unread
from tracker.reads.queue import decidable_by_person
from tracker.safe_redirect import safe_next

bp = Blueprint("notify", __name__, url_prefix="/notifications")
notify_cli = AppGroup("notify", help="Nudges by mail (or printed when no mail server is set).")


@bp.post("/read")
@login_required
def mark_read() -> Response:
    """Mark every notice of the current person read."""
    for notice in unread(current_user, limit=1000):
        notice.read_at = utcnow()
    db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for("main.home")))


@notify_cli.command("digest")
def digest_command() -> None:
    """Mail whoever decides evidence their queue, and engineers with no progress in 30 days."""
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        verify_link = url_for("team.verify", _external=True)
        home_link = url_for("main.home", _external=True)
    sent = 0
    for person, count in decidable_by_person().items():
        mailer.send(
            person.email,
            f"Evidence to verify: {count}",
            f"Evidence waits for your verification:\n{verify_link}\n",
        )
        sent += 1
    for engineer in quiet_engineers(today()):
        mailer.send(
            engineer.email,
            "Your ML learning: what's next?",
            f"No progress logged in {QUIET_DAYS} days. Your next steps are here:\n{home_link}\n",
        )
        sent += 1
    click.echo(f"Sent {sent} digest messages.")
