"""Whose account a single sign-on opens: matched by subject, then by verified email, or created.

Writes add and flush; the view commits. A refusal writes nothing.
"""

from __future__ import annotations

from flask import current_app

from tracker import audit
from tracker.admin.people import create_person
from tracker.auth.oidc import Identity, Refusal
from tracker.extensions import db
from tracker.models import Role, User

ASK_AN_ADMIN = "There is no Tracker account for {email}. Ask an admin to add you."
NOT_VERIFIED = (
    "Your company account has not confirmed your email address, so Tracker cannot match it "
    "to an account. Ask your company's IT team to verify it, then try again."
)
NO_EMAIL = "Your company account did not share an email address, so Tracker cannot match it."
INACTIVE = "This Tracker account is switched off. Ask an admin if you think it should not be."
LINKED_ELSEWHERE = (
    "This Tracker account is already linked to a different company sign-in. Ask an admin."
)
MAX_EMAIL = 254
MAX_NAME = 120


def account_for(identity: Identity) -> User:
    """Return the active person `identity` signs in as, linking or creating them; else refuse."""
    user: User | None = db.session.scalar(
        db.select(User).where(User.sso_subject == identity.subject)
    )
    if user is None:
        user = _match_by_email(identity)
    if user is None:
        return _create_engineer(identity)
    if not user.active or user.deprovisioned_at is not None:
        raise Refusal(INACTIVE, "account inactive")
    if user.sso_subject is None:
        user.sso_subject = identity.subject
        audit.record("sso.linked", user.email, "first single sign-on", actor=user)
        db.session.flush()
    return user


def _match_by_email(identity: Identity) -> User | None:
    if identity.email is None:
        raise Refusal(NO_EMAIL, "no email claim")
    if not identity.email_verified:
        raise Refusal(NOT_VERIFIED, "email not verified by the provider")
    user: User | None = db.session.scalar(db.select(User).where(User.email == identity.email))
    if user is not None and user.sso_subject not in (None, identity.subject):
        raise Refusal(LINKED_ELSEWHERE, "account linked to another subject")
    return user


def _create_engineer(identity: Identity) -> User:
    email = identity.email or ""
    if not current_app.config["OIDC_CREATE_USERS"]:
        raise Refusal(ASK_AN_ADMIN.format(email=email), "no account and creation is off")
    if len(email) > MAX_EMAIL or "@" not in email:
        raise Refusal(NO_EMAIL, "email claim not usable")
    user = create_person(email, (identity.name or email)[:MAX_NAME], {Role.ENGINEER}, None)
    user.sso_subject = identity.subject
    audit.record("sso.linked", user.email, "created at a first single sign-on", actor=user)
    db.session.flush()
    return user
