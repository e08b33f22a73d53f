"""Login sessions: the epoch-carrying user id, new session on login, idle and absolute timeouts."""

from __future__ import annotations

import time

from flask import Flask, current_app, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import inspect
from sqlalchemy.orm import joinedload

from tracker import policy
from tracker.extensions import db, login_manager
from tracker.models import User


@login_manager.user_loader
def load_user(alternative_id: str) -> User | None:
    """Return the user for "<id>:<epoch>" when the epoch is current and the account active."""
    user_id, _, epoch = alternative_id.partition(":")
    if not (user_id.isdigit() and epoch.isdigit()):
        return None
    # the roles and managed teams come in the same statement: every page asks what the person
    # may do, and a manager's pages which teams they see
    links = [joinedload(User.role_links), joinedload(User.manager_links)]
    user = db.session.get(User, int(user_id), options=links)
    if user is None or not user.active or user.session_epoch != int(epoch):
        return None
    if "manager_links" not in inspect(user).unloaded:  # not when the session held them already
        policy.remember_managed(user, {link.team_id for link in user.manager_links})
    return user


def start_session(user: User) -> None:
    """Log `user` in on a fresh session (nothing from the anonymous session carries over)."""
    session.clear()
    login_user(user)
    session.permanent = True
    now = int(time.time())
    session["login_at"] = now
    session["seen_at"] = now


def end_all_sessions(user: User) -> None:
    """End every session of `user`, on every device, by bumping the session epoch."""
    user.session_epoch = (user.session_epoch or 0) + 1


def act_as(user: User | None) -> None:
    """Make `user` (None: nobody) this request's current user, whoever a cookie names.

    The token surfaces (API, xAPI, SCIM) answer for a token's owner, never a session.
    """
    current_app.login_manager._update_request_context_with_user(user)  # type: ignore[attr-defined]


def end_session() -> None:
    """Log out of this session and forget everything in it."""
    logout_user()
    session.clear()


def _enforce_timeouts() -> None:
    """Log out a session idle for too long, or older than the absolute limit."""
    if not current_user.is_authenticated or "login_at" not in session:
        return
    now = int(time.time())
    idle = current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    absolute = current_app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds()
    if now - session.get("seen_at", 0) > idle or now - session["login_at"] > absolute:
        end_session()
        return
    if now - session.get("seen_at", 0) >= 60:  # refresh at most once a minute
        session["seen_at"] = now


def init_app(app: Flask) -> None:
    """Configure Flask-Login and the timeout check."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(_enforce_timeouts)
