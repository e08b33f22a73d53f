"""What engineers do: enrolments, evidence, self-assessments; and teams' staffing targets."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.clock import utcnow
from tracker.models.base import Base, UTCDateTime, str_enum
from tracker.models.catalogue import LearningPath, Module, TargetRole
from tracker.models.people import Team, User


class EvidenceKind(enum.StrEnum):
    """A completion of a module, or an attempt at its assessment."""

    COMPLETION = "completion"
    ATTEMPT = "attempt"


class EvidenceStatus(enum.StrEnum):
    """Valid needs no review; pending waits for a manager; withdrawn was taken back by its owner."""

    VALID = "valid"
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Enrolment(Base):
    """An engineer on a path: chosen by themselves or assigned (optionally with a due date)."""

    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("user_id", "path_id", name="uq_enrolments_user_path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    path_id: Mapped[int] = mapped_column(ForeignKey("learning_paths.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[date | None] = mapped_column(Date)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise")
    path: Mapped[LearningPath] = relationship(lazy="raise")
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id], lazy="raise")


class Evidence(Base):
    """A dated completion or assessment attempt, with its verification state."""

    __tablename__ = "evidence"
    __table_args__ = (
        Index("ix_evidence_engineer_module_date", "user_id", "module_id", "date"),
        Index("ix_evidence_status_user", "status", "user_id"),
        # What waits for a decision, by whom and for whom: a person's pending tallies are
        # counted from this small index alone, however much evidence has been decided
        Index(
            "ix_evidence_pending",
            "user_id",
            "recorded_by_id",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        # A team's last activity: each engineer's latest date, one index seek apiece.
        Index("ix_evidence_user_date", "user_id", "date"),
        CheckConstraint("score IS NULL OR score BETWEEN 0 AND 100", name="score_range"),
        CheckConstraint("hours IS NULL OR hours >= 0", name="hours_not_negative"),
        CheckConstraint(
            "(kind = 'attempt' AND score IS NOT NULL AND passed IS NOT NULL) OR "
            "(kind = 'completion' AND score IS NULL AND passed IS NULL)",
            name="kind_fields",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # active_history: a change must know the value it replaces (tracker.operations.module_stats)
    module_id: Mapped[int] = mapped_column(
        ForeignKey("modules.id"), index=True, active_history=True
    )
    kind: Mapped[EvidenceKind] = mapped_column(
        str_enum(EvidenceKind, "evidence_kind"), active_history=True
    )
    date: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 1), active_history=True)
    evidence_url: Mapped[str] = mapped_column(String(500), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[int | None] = mapped_column(Integer)
    # Judged against the pass mark in force when the attempt was recorded.
    passed: Mapped[bool | None] = mapped_column(Boolean, active_history=True)
    status: Mapped[EvidenceStatus] = mapped_column(
        str_enum(EvidenceStatus, "evidence_status"), active_history=True
    )
    source: Mapped[str] = mapped_column(String(16), default="web")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, active_history=True)
    decision_reason: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise")
    module: Mapped[Module] = relationship(lazy="raise")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="raise")


class EvidenceFirst(Base):
    """Derived: an engineer's earliest evidence of a module that can count, by kind and status.

    Figures need of each engineer's evidence only the earliest date of each module, kind and
    counting status (`tracker.reads.records.first_evidence`); this table holds exactly that, so
    a team's or the company's figures read a few rows per engineer instead of grouping all of
    their evidence. It is never written by hand: `tracker.operations.firsts` recounts it from
    `evidence` in the same transaction as every write, and `flask figures rebuild` recounts all.
    Data exports leave it out; imports rebuild it.
    """

    __tablename__ = "evidence_firsts"
    __table_args__ = {"info": {"derived": True}}

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), primary_key=True)
    kind: Mapped[EvidenceKind] = mapped_column(
        str_enum(EvidenceKind, "evidence_kind"), primary_key=True
    )
    status: Mapped[EvidenceStatus] = mapped_column(
        str_enum(EvidenceStatus, "evidence_status"), primary_key=True
    )
    first_on: Mapped[date] = mapped_column(Date)


class ModuleStat(Base):
    """Derived: how a module's evidence adds up, per value of hours spent on it.

    For each module and value of `hours` (in tenths; -1 for evidence without hours): how many
    pieces of evidence there are, withdrawn ones left out, and of them how many are
    completions, attempts, passed attempts, rejected and decided. The company view's module
    insight reads these few hundred rows instead of counting every piece of evidence
    (`tracker.reads.company.module_insight`). Kept by `tracker.operations.module_stats` in the
    transaction of every write; data exports leave it out; imports count it again.
    """

    __tablename__ = "module_stats"
    __table_args__ = {"info": {"derived": True}}

    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), primary_key=True)
    hours_tenths: Mapped[int] = mapped_column(Integer, primary_key=True)
    pieces: Mapped[int] = mapped_column(Integer)
    completions: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer)
    passed: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    decided: Mapped[int] = mapped_column(Integer)


class PendingTally(Base):
    """Derived: how much of an engineer's evidence waits for a decision, by who recorded it.

    One row per engineer (with their team now) and recorder of pending evidence: the Verify
    count on every page adds up the rows of the viewer's teams from the index on `team_id`
    (`tracker.reads.queue`) instead of seeking every engineer of those teams in the evidence.
    Kept by `tracker.operations.pending_tallies` in the transaction of every write to evidence
    or to an engineer's team; data exports leave it out; imports count it again.
    """

    __tablename__ = "pending_tallies"
    __table_args__ = {"info": {"derived": True}}

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # no foreign key: a team is deleted before its people's rows are counted again
    team_id: Mapped[int | None] = mapped_column(Integer, index=True)
    pieces: Mapped[int] = mapped_column(Integer)


class SelfAssessment(Base):
    """A level an engineer claimed for a competency, and when; shown, never counted.

    Append-only: each new claim adds a row, so claims read as of a date show what was claimed
    then; the latest row is the current claim.
    """

    __tablename__ = "self_assessments"
    __table_args__ = (
        CheckConstraint("level BETWEEN 0 AND 4", name="level_range"),
        Index("ix_self_assessments_user_claimed", "user_id", "claimed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id"))
    level: Mapped[int] = mapped_column(Integer)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StaffingTarget(Base):
    """A team wants `count` people ready for a role by a date."""

    __tablename__ = "staffing_targets"
    __table_args__ = (CheckConstraint("count >= 1", name="count_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("target_roles.id"))
    count: Mapped[int] = mapped_column(Integer)
    by: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    team: Mapped[Team] = relationship(lazy="raise")
    role: Mapped[TargetRole] = relationship(lazy="raise")


class Notification(Base):
    """An in-app notice for one person (e.g. their evidence was decided)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    message: Mapped[str] = mapped_column(String(500))
    link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
