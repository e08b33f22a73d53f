"""People, their roles, teams, API tokens and one-time links."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.clock import utcnow
from tracker.models.base import Base, UTCDateTime, str_enum


class Role(enum.StrEnum):
    """What a person may do; one account may hold several."""

    ENGINEER = "engineer"
    MANAGER = "manager"
    LD = "ld"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """Return the name people read for this role."""
        return {"engineer": "Engineer", "manager": "Manager", "ld": "L&D", "admin": "Admin"}[
            self.value
        ]


PRIVILEGED_ROLES = frozenset({Role.MANAGER, Role.LD, Role.ADMIN})


class User(Base):
    """A person with one account; `session_epoch` is bumped to end every session at once."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_counter: Mapped[int | None] = mapped_column(Integer)
    # the team left is known to a flush too (its figures change: tracker.operations.team_versions)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id"), index=True, active_history=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # identity from the company's directory: the provider's subject after a first single
    # sign-on, and the id a SCIM client gave the person (both optional, both kept on deactivation)
    sso_subject: Mapped[str | None] = mapped_column(String(255), unique=True, index=True)
    external_id: Mapped[str | None] = mapped_column(String(255))
    # when a SCIM client deleted the person: they are deactivated and kept, with their history
    deprovisioned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    role_links: Mapped[list[UserRole]] = relationship(
        back_populates="user", lazy="selectin", cascade="all, delete-orphan"
    )
    team: Mapped[Team | None] = relationship(
        back_populates="members", foreign_keys=[team_id], lazy="raise"
    )
    managed_teams: Mapped[list[Team]] = relationship(
        secondary="team_managers", back_populates="managers", lazy="raise"
    )
    # the links to the teams they manage, read with the person by `tracker.sessions.load_user`
    manager_links: Mapped[list[TeamManager]] = relationship(viewonly=True, lazy="raise")

    @property
    def roles(self) -> frozenset[Role]:
        """Return the set of roles this person holds."""
        return frozenset(link.role for link in self.role_links)

    def has_role(self, *roles: Role) -> bool:
        """Return True when the person holds any of `roles`."""
        return bool(self.roles.intersection(roles))

    def set_roles(self, roles: set[Role] | frozenset[Role]) -> None:
        """Replace this person's roles with `roles`."""
        wanted = set(roles)
        self.role_links = [link for link in self.role_links if link.role in wanted]
        for role in sorted(wanted - self.roles):
            self.role_links.append(UserRole(role=role))

    @property
    def is_privileged(self) -> bool:
        """Return True for accounts that must use a second factor when MFA is required."""
        return bool(self.roles & PRIVILEGED_ROLES)

    # Flask-Login: the "alternative id" carries the epoch, so bumping it ends old sessions.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class UserRole(Base):
    """One role held by one person."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[Role] = mapped_column(
        str_enum(Role, "role"),
        primary_key=True,
    )
    user: Mapped[User] = relationship(back_populates="role_links", lazy="raise")


class Team(Base):
    """A team of people; managed by one or more managers."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    external_id: Mapped[str | None] = mapped_column(String(255))  # a SCIM client's group id

    members: Mapped[list[User]] = relationship(
        back_populates="team", foreign_keys=[User.team_id], lazy="raise"
    )
    managers: Mapped[list[User]] = relationship(
        secondary="team_managers", back_populates="managed_teams", lazy="raise"
    )

    def __repr__(self) -> str:
        return f"<Team {self.name}>"


class TeamVersion(Base):
    """Derived: a token per team that changes in the transaction of every change its figures show.

    A team figure shows the team's name, its active engineers (by name), their demonstrated
    evidence and its staffing targets (and the catalogue, which has a token of its own); every
    write to one of those gives the team a new random token (`tracker.operations.team_versions`).
    A figure cached under a key made with the token (`tracker.reads.versions.figure_key`) is so
    never stale, and the key costs one read however large the team.
    """

    __tablename__ = "team_versions"
    __table_args__ = {"info": {"derived": True}}

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


class TeamManager(Base):
    """A manager link: this person manages this team."""

    __tablename__ = "team_managers"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)


class Scope(enum.StrEnum):
    """What an integration account's tokens may reach."""

    XAPI = "xapi"
    SCIM = "scim"


class Integration(Base):
    """A system that sends data (a learning platform, a directory): no login, no person.

    Its tokens carry its scopes; it never appears among people.
    """

    __tablename__ = "integrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    scopes: Mapped[str] = mapped_column(String(64))  # space-separated Scope values
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def scope_set(self) -> frozenset[Scope]:
        """Return the scopes this integration holds."""
        return frozenset(Scope(word) for word in self.scopes.split())

    def __repr__(self) -> str:
        return f"<Integration {self.name}>"


class ApiToken(Base):
    """A bearer token of a person or of an integration; only a SHA-256 hash is stored."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (integration_id IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    integration_id: Mapped[int | None] = mapped_column(ForeignKey("integrations.id"), index=True)
    label: Mapped[str] = mapped_column(String(80), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship(lazy="raise")
    integration: Mapped[Integration | None] = relationship(lazy="raise")


class LinkPurpose(enum.StrEnum):
    """Why a one-time link was issued."""

    INVITATION = "invitation"
    RESET = "reset"


class OneTimeLink(Base):
    """A timed, single-use link to set a password; only a hash of its secret is stored."""

    __tablename__ = "one_time_links"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[LinkPurpose] = mapped_column(str_enum(LinkPurpose, "link_purpose"))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="raise")


class AuditEvent(Base):
    """Who did what, when (UTC): logins, denials, role, team and catalogue changes, imports."""

    __tablename__ = "audit_events"
    __table_args__ = (CheckConstraint("length(action) > 0", name="action_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_email: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(254), default="")
    detail: Mapped[str] = mapped_column(String(2000), default="")
    ip: Mapped[str | None] = mapped_column(String(64))
