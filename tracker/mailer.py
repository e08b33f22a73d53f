"""Outgoing mail: through Flask-Mail when MAIL_SERVER is configured, to the log otherwise."""

from __future__ import annotations

import logging

from flask import current_app
from flask_mail import Message

from tracker.extensions import mail

log = logging.getLogger("tracker.mail")


def send(to: str, subject: str, body: str) -> None:
    """Send a plain-text message to `to` (logged instead when no mail server is set)."""
    if not current_app.config.get("MAIL_SERVER") or current_app.config.get("TESTING"):
        log.warning("mail (not sent: no MAIL_SERVER) to=%s subject=%s\n%s", to, subject, body)
        return
    mail.send(Message(subject=subject, recipients=[to], body=body))
