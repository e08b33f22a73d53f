"""The account page: change password, sign out everywhere, enrol a second factor."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from tracker import audit
from tracker.auth import bp
from tracker.auth import mfa as totp
from tracker.auth.forms import ChangePasswordForm, CodeForm
from tracker.auth.views import finish_login, pending_user
from tracker.extensions import db
from tracker.models import User, utcnow
from tracker.passwords import hash_password, verify_password
from tracker.sessions import end_all_sessions, end_session, start_session


def _account_page(password_form: ChangePasswordForm | None = None) -> str:
    user = current_user._get_current_object()
    form = password_form or ChangePasswordForm()
    tokens = "tokens.index" in current_app.view_functions
    return render_template("auth/account.html", user=user, form=form, show_tokens=tokens)


@bp.get("/account")
@login_required
def account() -> str:
    """Show who the person is, with their password, sessions and second factor."""
    return _account_page()


@bp.post("/account/password")
@login_required
def change_password() -> Response | str:
    """Change the password (the current one is required); other sessions end."""
    user: User = current_user._get_current_object()
    form = ChangePasswordForm()
    form.email_for_policy = user.email
    if not form.validate_on_submit():
        return _account_page(form), 400
    if not verify_password(user.password_hash, form.current.data):
        form.current.errors.append("This is not your current password.")
        return _account_page(form), 400
    user.password_hash = hash_password(form.password.data)
    user.password_changed_at = utcnow()
    end_all_sessions(user)
    audit.record("password.changed", user.email)
    db.session.commit()
    start_session(user)  # this session goes on; every other one has ended
    flash("Your password is changed. Other sessions have been signed out.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere() -> Response:
    """End every session of this person, this one included."""
    user = current_user._get_current_object()
    end_all_sessions(user)
    audit.record("sessions.ended", user.email)
    db.session.commit()
    end_session()
    flash("You are signed out on every device.", "info")
    return redirect(url_for("auth.login"))


def _enrolling_user() -> User | None:
    """The person enrolling: logged in, or between the password step and the second factor."""
    if current_user.is_authenticated:
        return current_user._get_current_object()
    return pending_user()


@bp.route("/mfa/setup", methods=["GET", "POST"])
def mfa_setup() -> Response | str:
    """Enrol an authenticator app: scan the QR code, then confirm with a code."""
    user = _enrolling_user()
    if user is None:
        return redirect(url_for("auth.login"))
    secret = session.get("mfa_setup_secret") or totp.new_secret()
    session["mfa_setup_secret"] = secret
    form = CodeForm()
    if form.validate_on_submit():
        if totp.verify(user, form.code.data, secret=secret):
            user.totp_secret = secret
            session.pop("mfa_setup_secret", None)
            audit.record("mfa.enrolled", user.email, actor=user)
            if current_user.is_authenticated:
                db.session.commit()
                flash("Your authenticator app is set up.", "success")
                return redirect(url_for("auth.account"))
            return finish_login(user, session.get("mfa_pending", {}).get("next"))
        form.code.errors.append("That code does not match. Check the app's clock and try again.")
    uri = totp.provisioning_uri(secret, user.email)
    return render_template(
        "auth/mfa_setup.html", form=form, secret=secret, qr=totp.qr_data_uri(uri)
    )
