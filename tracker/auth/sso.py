"""Single sign-on with the company's OpenID Connect provider: go there, and come back.

The company's provider is the authenticator (with its own second factor), so a single sign-on
goes straight to `finish_login`: the tracker's TOTP step is for password sign-ins only.
"""

from __future__ import annotations

import requests
from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from tracker import audit
from tracker.auth import bp, oidc
from tracker.auth.oidc import Refusal
from tracker.auth.sso_accounts import account_for
from tracker.auth.views import finish_login, login_limit
from tracker.extensions import db, limiter
from tracker.safe_redirect import safe_next

UNREACHABLE = "The company sign-in could not be reached. Please try again in a moment."


def callback_url() -> str:
    """Return the redirect URI registered with the provider: PUBLIC_URL + /auth/oidc/callback."""
    return str(current_app.config["PUBLIC_URL"]).rstrip("/") + url_for("auth.oidc_callback")


@bp.get("/oidc/login")
def oidc_login() -> Response:
    """Send the person to the company's provider (state, nonce and PKCE kept in the session)."""
    if not oidc.enabled():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    session["sso_next"] = safe_next(request.args.get("next"), "")
    try:
        response: Response = oidc.client().authorize_redirect(callback_url())
    except (requests.RequestException, ValueError):
        flash(UNREACHABLE, "error")
        return redirect(url_for("auth.login"))
    return response


@bp.get("/oidc/callback")
@limiter.limit(login_limit)
def oidc_callback() -> Response:
    """Come back from the provider: check everything, then log in as the matched person."""
    if not oidc.enabled():
        abort(404)
    next_url = session.get("sso_next")
    identity = None
    try:
        identity = oidc.verified_identity()
        user = account_for(identity)
    except Refusal as refusal:
        return _refuse(refusal, identity.email if identity else None)
    except IntegrityError:  # the same person's first sign-in, twice at once: the other one won
        raced = Refusal(oidc.TRY_AGAIN, "account created meanwhile")
        return _refuse(raced, identity.email if identity else None)
    return finish_login(user, next_url, detail="single sign-on")


def _refuse(refusal: Refusal, target: object) -> Response:
    """Write nothing but the audit row; tell the person on the login page."""
    db.session.rollback()
    audit.record("login.failure", target or "-", f"single sign-on: {refusal.reason}", actor=None)
    db.session.commit()
    session.pop("sso_next", None)
    flash(refusal.message, "error")
    return redirect(url_for("auth.login"))
