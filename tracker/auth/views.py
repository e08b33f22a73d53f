"""Placeholder routes; replaced by the accounts work."""

from flask import redirect, url_for
from flask_login import login_required

from tracker.auth import bp
from tracker.sessions import end_session


@bp.route("/login", methods=["GET", "POST"])
def login():
    return "login"


@bp.post("/logout")
def logout():
    end_session()
    return redirect(url_for("auth.login"))


@bp.get("/account")
@login_required
def account():
    return "account"
