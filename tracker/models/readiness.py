"""Derived readiness tables: each engineer's readiness steps and each team's counts of them.

Computed from evidence and kept by `tracker.operations.steps`, `standing_counts` and
`band_changes` in the transaction of every write; data exports leave them out.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base

LAST_STEP_UNTIL = date(9999, 12, 31)  # `until_on` of an engineer's last step: it never ends


class ReadinessStep(Base):
    """Derived: an engineer's readiness for a live role from one day until the next change.

    Readiness changes only on a demonstrated date (`tracker.history.role_steps`), so these
    rows give readiness on any day: the row whose `from_on <= day < until_on`, in tenths of a
    percent (the engine's one decimal, kept exact). Engineers without counting evidence have no
    rows: their readiness is that of no evidence at all. Team and company figures read two rows
    per engineer and role (as of the day and 8 weeks before) instead of computing them.

    Kept by `tracker.operations.steps` in the transaction of every write, and rebuilt for
    everyone when the catalogue's rules change (`catalogue_version.steps_rules` names the rules
    the rows were computed with; while it differs, figures are computed from evidence instead).
    Data exports leave it out; imports rebuild it.
    """

    __tablename__ = "readiness_steps"
    # on SQLite the rows live in the primary key's b-tree: one seek finds a step and its value
    __table_args__ = {"info": {"derived": True}, "sqlite_with_rowid": False}

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("target_roles.id"), primary_key=True)
    from_on: Mapped[date] = mapped_column(Date, primary_key=True)
    until_on: Mapped[date] = mapped_column(Date)  # the next change; LAST_STEP_UNTIL for the last
    tenths: Mapped[int] = mapped_column(Integer)  # readiness x 10


class StandingCount(Base):
    """Derived: how many active engineers of a team stand at each readiness for a live role.

    Counted from each engineer's last step in `readiness_steps` (the one whose `until_on` is
    9999-12-31): per team, live role and readiness in tenths, how many engineers, and the latest
    day one of those steps begins on. Engineers without steps (no counting evidence) are counted
    with `tenths` -1. On any day from the latest `latest_on` on, these are the readiness figures
    the company's bands count, in a few rows per team instead of a step per engineer and role
    (`tracker.reads.standings.team_bands`).

    Kept by `tracker.operations.standing_counts` in the transaction of every write that changes
    a team's engineers or their steps; data exports leave it out; imports count it again.
    """

    __tablename__ = "standing_counts"
    __table_args__ = {"info": {"derived": True}}

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("target_roles.id"), primary_key=True)
    tenths: Mapped[int] = mapped_column(Integer, primary_key=True)  # -1: no counting evidence
    engineers: Mapped[int] = mapped_column(Integer)
    # None for engineers without steps; indexed: every read of the counts first asks the latest
    latest_on: Mapped[date | None] = mapped_column(Date, index=True)


class BandChange(Base):
    """Derived: by how many a team's engineers in a band for a live role change on a day.

    Counted from `readiness_steps`: each step adds one engineer to its band on its `from_on`
    and takes one away on its `until_on` (none for the last), netted per team, live role, day
    and band, days that change nothing left out. Engineers without steps are added once, on
    0001-01-01, to the band "none" (that of no counting evidence, which depends on the role).
    So a team's engineers per band on any day are the sums of its changes up to that day: a
    team's trend reads a few rows per week instead of every step of every engineer
    (`tracker.reads.team_charts.weekly_role_bands`).

    Kept with `standing_counts`, by `tracker.operations.band_changes`, in the transaction of
    every write that changes a team's engineers or their steps; data exports leave it out.
    """

    __tablename__ = "band_changes"
    __table_args__ = {"info": {"derived": True}}

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("target_roles.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    band: Mapped[str] = mapped_column(String(16), primary_key=True)  # a Band, or "none"
    engineers: Mapped[int] = mapped_column(Integer)  # the net change: never 0
