"""Reset requests, and setting a password from an invitation or reset link."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from tracker import audit, mailer, policy
from tracker.auth import bp, oidc
from tracker.auth.forms import NewPasswordForm, ResetRequestForm
from tracker.auth.views import begin_login
from tracker.extensions import db, limiter
from tracker.links import consume_link, find_usable_link, issue_link
from tracker.models import LinkPurpose, User, utcnow
from tracker.passwords import hash_password
from tracker.sessions import end_all_sessions

RESET_SENT = "If that email belongs to an account, a link to set a new password is on its way."
SSO_ONLY = (  # a message, not a password
    "Tracker signs you in with your company account, so there is no password to set. "
    "Use “Sign in with your company account”."
)


def send_link(user: User, purpose: LinkPurpose) -> str:
    """Issue a one-time link for `user`, mail it, and return its absolute URL."""
    url = url_for("auth.set_password", token=issue_link(user, purpose), _external=True)
    if purpose is LinkPurpose.INVITATION:
        subject, intro = "You are invited to Tracker", "You have been invited to Tracker."
    else:
        subject, intro = "Set a new Tracker password", "Someone asked to reset your password."
    mailer.send(user.email, subject, f"{intro}\n\nSet your password here:\n{url}\n")
    return url


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
def reset_request() -> Response | str:
    """Ask for a reset link; the answer is the same whether or not the email is known."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(db.select(User).where(User.email == email))
        if user is not None and user.active and policy.may_sign_in_with_password(user):
            send_link(user, LinkPurpose.RESET)
            audit.record("password.reset_requested", email, actor=user)
            db.session.commit()
        flash(RESET_SENT, "info")
        return redirect(url_for("auth.login"))
    return render_template(
        "auth/reset_request.html", form=form, admins_only=oidc.password_login_for_admins_only()
    )


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str) -> Response | tuple[str, int] | str:
    """Set a password from an invitation or reset link (timed, single use)."""
    link = find_usable_link(token)
    if link is None:
        return render_template("auth/link_expired.html"), 410
    user = db.session.get(User, link.user_id)
    if user is None or not user.active:
        return render_template("auth/link_expired.html"), 410
    if not policy.may_sign_in_with_password(user):
        flash(SSO_ONLY, "info")
        return redirect(url_for("auth.login"))
    form = NewPasswordForm()
    form.email_for_policy = user.email
    if form.validate_on_submit():
        user.password_hash = hash_password(form.password.data)
        user.password_changed_at = utcnow()
        user.failed_logins, user.locked_until = 0, None
        consume_link(link)
        end_all_sessions(user)
        audit.record("password.set", user.email, link.purpose.value, actor=user)
        db.session.commit()
        flash("Your password is set. Welcome to Tracker.", "success")
        return begin_login(user, None)
    return render_template("auth/set_password.html", form=form, user=user)
