"""The audit trail: who did what, when, as a row and a log line. Never a secret."""

from __future__ import annotations

import logging

from flask import g, has_request_context, request
from flask_login import current_user

from tracker.extensions import db
from tracker.models import AuditEvent, User

log = logging.getLogger("tracker.audit")


def clean(text: object, limit: int = 2000) -> str:
    """Return `text` on one line (control characters escaped) so log lines cannot be forged."""
    value = str(text)
    out = []
    for char in value:
        if char in "\r\n\t" or ord(char) < 32 or ord(char) == 127:
            out.append(repr(char)[1:-1] if char in "\r\n\t" else f"\\x{ord(char):02x}")
        else:
            out.append(char)
    return "".join(out)[:limit]


class OneLine(logging.Filter):
    """Escape control characters in a record's message, so a request path cannot forge a line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = clean(message, limit=len(message) * 4)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def keep_log_lines_whole(logger: logging.Logger) -> None:
    """Give `logger` the OneLine filter (once, however many apps are made)."""
    if not any(isinstance(f, OneLine) for f in logger.filters):
        logger.addFilter(OneLine())


def record(
    action: str, target: object = "", detail: object = "", actor: User | None = None
) -> AuditEvent:
    """Add an audit event (flushed with the caller's transaction) and log it."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()  # type: ignore[attr-defined]
    ip = request.remote_addr if has_request_context() else None
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        actor_email=actor.email if actor else _acting_integration(),
        action=clean(action, 64),
        target=clean(target, 254),
        detail=clean(detail),
        ip=ip,
    )
    db.session.add(event)
    log.info(
        "audit action=%s actor=%s target=%s ip=%s detail=%s",
        event.action,
        clean(event.actor_email or "-"),
        event.target,
        ip or "-",
        event.detail,
    )
    return event


def _acting_integration() -> str | None:
    """Name the integration a request acts for (`g.audit_integration`, set by SCIM), if any."""
    return g.get("audit_integration") if has_request_context() else None


def log_only(action: str, target: object = "", detail: object = "") -> None:
    """Log an event in the same line as `record`, storing no row.

    For the one event whose row would change what it reports: a data import, after which the
    database holds exactly the file's records, so that exporting it again gives the same file.
    """
    actor = None
    if has_request_context() and current_user.is_authenticated:
        actor = current_user.email
    ip = request.remote_addr if has_request_context() else None
    log.info(
        "audit action=%s actor=%s target=%s ip=%s detail=%s",
        clean(action, 64),
        clean(actor or "-"),
        clean(target, 254),
        ip or "-",
        clean(detail),
    )
