"""Nudges: in-app notices, and `flask notify digest` for cron (pending queues, quiet engineers)."""

from __future__ import annotations

from datetime import date, timedelta

import click
from flask import Blueprint, current_app, redirect, request, url_for
from flask.cli import AppGroup
from flask_login import current_user, login_required
from sqlalchemy import func
from werkzeug.wrappers import Response

from tracker import mailer
from tracker.extensions import db
from tracker.models import Evidence, EvidenceStatus, Notification, Role, TeamManager, User, utcnow
from tracker.safe_redirect import safe_next

bp = Blueprint("notify", __name__, url_prefix="/notifications")
notify_cli = AppGroup("notify", help="Nudges by mail (or printed when no mail server is set).")
QUIET_DAYS = 30


def unread(user: User, limit: int = 10) -> list[Notification]:
    """Return a person's unread notices, newest first."""
    return list(
        db.session.scalars(
            db.select(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .order_by(Notification.created_at.desc())
            .limit(limit)
        )
    )


@bp.post("/read")
@login_required
def mark_read() -> Response:
    """Mark every notice of the current person read."""
    for notice in unread(current_user, limit=1000):
        notice.read_at = utcnow()
    db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for("main.home")))


def pending_by_manager() -> dict[User, int]:
    """Return each manager with how much of their teams' evidence waits for them."""
    rows = db.session.execute(
        db.select(TeamManager.user_id, func.count(Evidence.id))
        .join(User, User.team_id == TeamManager.team_id)
        .join(Evidence, Evidence.user_id == User.id)
        .where(Evidence.status == EvidenceStatus.PENDING, Evidence.user_id != TeamManager.user_id)
        .group_by(TeamManager.user_id)
    ).all()
    managers = {
        u.id: u
        for u in db.session.scalars(
            db.select(User).where(User.id.in_([r[0] for r in rows]), User.active.is_(True))
        )
    }
    return {managers[uid]: n for uid, n in rows if uid in managers}


def quiet_engineers(today: date) -> list[User]:
    """Return active engineers with no evidence in the last 30 days."""
    recent = db.select(Evidence.user_id).where(Evidence.date > today - timedelta(days=QUIET_DAYS))
    return list(
        db.session.scalars(
            db.select(User)
            .where(
                User.active.is_(True),
                User.role_links.any(role=Role.ENGINEER),
                User.id.not_in(recent),
            )
            .order_by(User.email)
        )
    )


@notify_cli.command("digest")
def digest_command() -> None:
    """Mail managers their pending queue, and engineers with no progress in 30 days."""
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        verify_link = url_for("team.verify", _external=True)
        home_link = url_for("main.home", _external=True)
    sent = 0
    for manager, count in pending_by_manager().items():
        mailer.send(
            manager.email,
            f"{count} pieces of evidence wait for you",
            f"Your engineers' evidence waits for your verification:\n{verify_link}\n",
        )
        sent += 1
    for engineer in quiet_engineers(date.today()):
        mailer.send(
            engineer.email,
            "Your ML learning: what's next?",
            f"No progress logged in {QUIET_DAYS} days. Your next steps are here:\n{home_link}\n",
        )
        sent += 1
    click.echo(f"Sent {sent} digest messages.")
