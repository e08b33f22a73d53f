"""A person's API tokens, newest first."""

from __future__ import annotations

from sqlalchemy import Select, select

from tracker.models import ApiToken, User


def tokens_of(user: User) -> Select[ApiToken]:
    """Return the query for `user`'s tokens, newest first."""
    return (
        select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
