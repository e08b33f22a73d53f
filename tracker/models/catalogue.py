"""The catalogue L&D defines: competencies, target roles, modules and learning paths."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.clock import utcnow
from tracker.models.base import Base, UTCDateTime, str_enum


class Family(enum.StrEnum):
    """Where an ML role or competency sits."""

    PRODUCT = "product"
    DATA = "data"
    PLATFORM = "platform"


class AssessmentKind(enum.StrEnum):
    """How a module's assessment is taken; project and review always need verification."""

    QUIZ = "quiz"
    PROJECT = "project"
    REVIEW = "review"

    @property
    def needs_verification(self) -> bool:
        """Return True when a passed attempt counts only once a reviewer verifies it."""
        return self is not AssessmentKind.QUIZ


class Competency(Base):
    """A skill with a family, e.g. "Model evaluation"."""

    __tablename__ = "competencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    family: Mapped[Family] = mapped_column(str_enum(Family, "family"))
    description: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TargetRole(Base):
    """A role engineers grow into, defined by weighted competency requirements."""

    __tablename__ = "target_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    family: Mapped[Family] = mapped_column(str_enum(Family, "family"))
    description: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    requirements: Mapped[list[RoleRequirement]] = relationship(
        back_populates="role", lazy="raise", cascade="all, delete-orphan"
    )


class RoleRequirement(Base):
    """A role needs this competency at this level (1-4), weighted (>= 1)."""

    __tablename__ = "role_requirements"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 4", name="level_range"),
        CheckConstraint("weight >= 1", name="weight_positive"),
    )

    role_id: Mapped[int] = mapped_column(ForeignKey("target_roles.id"), primary_key=True)
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id"), primary_key=True)
    level: Mapped[int] = mapped_column(Integer)
    weight: Mapped[int] = mapped_column(Integer, default=1)

    role: Mapped[TargetRole] = relationship(back_populates="requirements", lazy="raise")
    competency: Mapped[Competency] = relationship(lazy="raise")


class Module(Base):
    """One unit of learning; may carry one assessment (kind and pass mark)."""

    __tablename__ = "modules"
    __table_args__ = (
        CheckConstraint("hours >= 0", name="hours_not_negative"),
        CheckConstraint(
            "(assessment_kind IS NULL AND pass_mark IS NULL) OR "
            "(assessment_kind IS NOT NULL AND pass_mark BETWEEN 0 AND 100)",
            name="assessment_complete",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500), default="")
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 1), default=Decimal("0"))
    xapi_activity: Mapped[str | None] = mapped_column(String(500), index=True)
    requires_verification: Mapped[bool] = mapped_column(Boolean, default=False)
    assessment_kind: Mapped[AssessmentKind | None] = mapped_column(
        str_enum(AssessmentKind, "assessment_kind")
    )
    pass_mark: Mapped[int | None] = mapped_column(Integer)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    outcomes: Mapped[list[ModuleOutcome]] = relationship(
        back_populates="module", lazy="raise", cascade="all, delete-orphan"
    )


class ModuleOutcome(Base):
    """A module develops this competency to this level (1-4)."""

    __tablename__ = "module_outcomes"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 4", name="level_range"),)

    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), primary_key=True)
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id"), primary_key=True)
    level: Mapped[int] = mapped_column(Integer)

    module: Mapped[Module] = relationship(back_populates="outcomes", lazy="raise")
    competency: Mapped[Competency] = relationship(lazy="raise")


class LearningPath(Base):
    """An ordered list of modules toward a target role, with prerequisites between them."""

    __tablename__ = "learning_paths"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role_id: Mapped[int] = mapped_column(ForeignKey("target_roles.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    role: Mapped[TargetRole] = relationship(lazy="raise")
    steps: Mapped[list[PathModule]] = relationship(
        back_populates="path",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="PathModule.position",
    )
    prerequisites: Mapped[list[PathPrerequisite]] = relationship(
        lazy="raise", cascade="all, delete-orphan"
    )


class PathModule(Base):
    """A module at a position in a path."""

    __tablename__ = "path_modules"

    path_id: Mapped[int] = mapped_column(ForeignKey("learning_paths.id"), primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)

    path: Mapped[LearningPath] = relationship(back_populates="steps", lazy="raise")
    module: Mapped[Module] = relationship(lazy="raise")


class PathPrerequisite(Base):
    """Within a path, `module` can start only once `requires_module` is demonstrated."""

    __tablename__ = "path_prerequisites"
    __table_args__ = (CheckConstraint("module_id <> requires_module_id", name="not_self"),)

    path_id: Mapped[int] = mapped_column(ForeignKey("learning_paths.id"), primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), primary_key=True)
    requires_module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), primary_key=True)


class CatalogueVersion(Base):
    """Derived: one row whose token changes in the transaction of every catalogue change.

    A process may keep the catalogue it read for as long as the token it read with it is
    current (`tracker.reads.catalogue.load_catalogue`). Tokens are random and never reused, so
    a database emptied and filled again never matches an old token.
    """

    __tablename__ = "catalogue_version"
    __table_args__ = {"info": {"derived": True}}

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    token: Mapped[str] = mapped_column(String(32))
    # the digest of the readiness rules `readiness_steps` was computed with (None: never)
    steps_rules: Mapped[str | None] = mapped_column(String(64))
