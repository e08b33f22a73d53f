"""Accounts: log in (password or single sign-on), out, second factor, invitation and reset links."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")

from tracker.auth import account, links, sso, views  # noqa: E402,F401  (routes register on bp)
