"""A secret shown once (an API token, a link to set a password) carried across the redirect
that follows the POST which made it, so a reload of the next page makes nothing new.

It rides in the session cookie, which only the browser about to see it holds (HttpOnly, and
Secure with SameSite=Lax in production), and leaves the session the moment its page is shown:
a reload of that page finds it gone. It is never logged nor audited.
"""

from __future__ import annotations

from flask import session

SESSION_KEY = "shown_once"


def keep(kind: str, ref: int, secret: str) -> None:
    """Keep `secret` of record `ref` for the next page of `kind` (one secret at a time)."""
    session[SESSION_KEY] = {"kind": kind, "ref": ref, "secret": secret}


def take(kind: str, ref: int | None = None) -> str | None:
    """Return the kept secret of `kind` (and of record `ref`, when given) and forget it; None
    once it has been shown. A secret of another kind stays for its own page; one of another
    record of this kind is dropped unseen."""
    kept = session.get(SESSION_KEY)
    if not isinstance(kept, dict) or kept.get("kind") != kind:
        return None
    session.pop(SESSION_KEY)
    if ref is not None and kept.get("ref") != ref:
        return None
    secret = kept.get("secret")
    return secret if isinstance(secret, str) else None
