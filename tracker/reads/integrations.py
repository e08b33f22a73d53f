"""Integration accounts as admins see them: who made each, when its tokens were last used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import ApiToken, Integration, User


@dataclass(frozen=True)
class IntegrationRow:
    """One integration with the name of whoever made it and its tokens' last use."""

    integration: Integration
    created_by: str | None  # None when made from the command line
    last_used_at: datetime | None
    token_prefix: str | None  # the first characters of its newest token


def integration_rows() -> list[IntegrationRow]:
    """Return every integration, live ones first, then by name (one statement)."""
    tokens = ApiToken.integration_id == Integration.id
    last_used = select(func.max(ApiToken.last_used_at)).where(tokens).scalar_subquery()
    prefix = (
        select(ApiToken.prefix)
        .where(tokens)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Integration, User.name, last_used, prefix)
        .outerjoin(User, User.id == Integration.created_by_id)
        .order_by(Integration.revoked_at.is_not(None), Integration.name)
    )
    return [IntegrationRow(*row) for row in rows]


def integration_named(name: str) -> Integration | None:
    """Return the integration called `name` (surrounding spaces ignored), or None."""
    return db.session.scalar(select(Integration).where(Integration.name == name.strip()))
