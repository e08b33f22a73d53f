"""Log in (with a second factor where needed) and out."""

from __future__ import annotations

import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker import audit, policy
from tracker.auth import bp, lockout, oidc
from tracker.auth import mfa as totp
from tracker.auth.forms import CodeForm, LoginForm
from tracker.extensions import db, limiter
from tracker.models import User
from tracker.passwords import hash_password, needs_rehash, verify_password
from tracker.safe_redirect import safe_next
from tracker.sessions import end_all_sessions, end_session, start_session

PENDING_TTL = 300  # seconds between the password step and the second factor
GENERIC_FAILURE = "That email and password do not match an active account."
LOCKED = "Too many failed attempts. Try again in a few minutes."
USE_COMPANY_SIGN_IN = (
    "Password sign-in is kept for administrators. Use “Sign in with your company account” instead."
)


def login_limit() -> str:
    """Return the per-IP limit on sign-in attempts (password, code or single sign-on)."""
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def needs_second_factor(user: User) -> bool:
    """Return True when `user` must pass TOTP: enrolled, or privileged under REQUIRE_MFA."""
    return bool(user.totp_secret) or (current_app.config["REQUIRE_MFA"] and user.is_privileged)


def pending_user() -> User | None:
    """Return the person between the password step and the second factor, if still valid."""
    pending = session.get("mfa_pending")
    if not pending or time.time() - pending["at"] > PENDING_TTL:
        return None
    user = db.session.get(User, pending["uid"])
    if user is None or not user.active or user.session_epoch != pending["epoch"]:
        return None
    return user


def finish_login(user: User, next_url: str | None, detail: str = "") -> Response:
    """Start the session, record the login (`detail`: how), and go where the person was heading."""
    lockout.record_success(user)
    audit.record("login.success", user.email, detail, actor=user)
    db.session.commit()
    start_session(user)
    return redirect(safe_next(next_url, url_for("main.home")))


def begin_login(user: User, next_url: str | None) -> Response:
    """After the password: log in, or go to the second factor (or its enrolment) first."""
    if not needs_second_factor(user):
        return finish_login(user, next_url)
    db.session.commit()
    session.clear()
    session["mfa_pending"] = {
        "uid": user.id,
        "epoch": user.session_epoch,
        "at": time.time(),
        "next": next_url or "",
    }
    return redirect(url_for("auth.mfa" if user.totp_secret else "auth.mfa_setup"))


def _check_password(form: LoginForm) -> tuple[User | None, str | None]:
    """Return (user, None) when the password is right, else (None, error message)."""
    email = (form.email.data or "").strip().lower()
    user = db.session.scalar(db.select(User).where(User.email == email))
    if user is not None and lockout.is_locked(user):
        audit.record("login.locked", email, actor=user)
        return None, LOCKED
    password_ok = verify_password(user.password_hash if user else None, form.password.data)
    if user is None or not user.active or not password_ok:
        if user is not None and user.active and lockout.record_failure(user):
            audit.record("login.locked", email, "account locked", actor=user)
        audit.record("login.failure", email, actor=None)
        return None, GENERIC_FAILURE
    if not policy.may_sign_in_with_password(user):
        audit.record("login.failure", email, "password sign-in is for admins only", actor=None)
        return None, USE_COMPANY_SIGN_IN
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(form.password.data)
    return user, None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login() -> Response | str:
    """Show the login form; check the password, then the second factor where needed."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user, error = _check_password(form)
        if user is None:
            db.session.commit()  # keep the failure count and the audit rows
            flash(error or GENERIC_FAILURE, "error")
            return _login_page(form)
        return begin_login(user, form.next.data)
    return _login_page(form)


def _login_page(form: LoginForm) -> str:
    """The login page: the company sign-in first when configured, then the password form."""
    return render_template(
        "auth/login.html",
        form=form,
        sso=oidc.enabled(),
        admins_only=oidc.password_login_for_admins_only(),
    )


@bp.route("/mfa", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def mfa() -> Response | str:
    """The second step of logging in: a code from the person's authenticator app."""
    user = pending_user()
    if user is None or not user.totp_secret:
        flash("Please log in again.", "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if lockout.is_locked(user):  # wrong codes lock the account as wrong passwords do
            audit.record("login.locked", user.email, actor=user)
            db.session.commit()
            form.code.errors.append(LOCKED)
            return render_template("auth/mfa.html", form=form)
        if totp.verify(user, form.code.data):
            return finish_login(user, session.get("mfa_pending", {}).get("next"))
        lockout.record_failure(user)
        audit.record("mfa.failure", user.email, actor=user)
        db.session.commit()
        form.code.errors.append("That code is not valid (or was already used). Try the next one.")
    return render_template("auth/mfa.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    """End every session of this person and go to the login page."""
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        end_all_sessions(user)
        audit.record("logout", user.email)
        db.session.commit()
    end_session()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))
