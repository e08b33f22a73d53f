"""xAPI statements as received, and the mappings L&D make for ones that matched nothing."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.clock import utcnow
from tracker.models.base import Base, UTCDateTime, str_enum


class Outcome(enum.StrEnum):
    """What the tracker made of a statement."""

    RECORDED = "recorded"  # it became evidence
    UNMATCHED = "unmatched"  # its actor or activity is unknown: it waits for a mapping
    NOT_RECORDED = "not_recorded"  # it matched, but breaks a rule (see `reason`)
    IGNORED = "ignored"  # its verb says nothing the tracker counts (launched, experienced…)


class XapiStatement(Base):
    """An xAPI statement exactly as received (`body`), with what the tracker made of it."""

    __tablename__ = "xapi_statements"
    __table_args__ = (Index("ix_xapi_statements_outcome_activity", "outcome", "activity"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_from_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_via_id: Mapped[int | None] = mapped_column(ForeignKey("integrations.id"))
    actor_email: Mapped[str | None] = mapped_column(String(254), index=True)
    verb: Mapped[str] = mapped_column(String(500), default="")
    activity: Mapped[str] = mapped_column(String(500), default="")
    outcome: Mapped[Outcome] = mapped_column(str_enum(Outcome, "xapi_outcome"), index=True)
    reason: Mapped[str] = mapped_column(String(300), default="")
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))


class XapiActivityLink(Base):
    """An activity id L&D mapped to a module; later statements for it map by themselves."""

    __tablename__ = "xapi_activity_links"

    activity: Mapped[str] = mapped_column(String(500), primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class XapiActorLink(Base):
    """An address a learning platform knows a person by, mapped by L&D to that person."""

    __tablename__ = "xapi_actor_links"

    address: Mapped[str] = mapped_column(String(254), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
