"""Keep `readiness_steps` equal to the readiness rules applied to each engineer's evidence.

`readiness_steps` holds each engineer's readiness for each live role from one change to the
next (see `ReadinessStep`), computed by `tracker.history.role_steps` from the earliest
evidence in `evidence_firsts`. It is kept in the transaction of every write:

- a write of evidence marks the engineers whose earliest evidence it recounted (`mark`, called
  by `tracker.operations.firsts`), and `tracker.operations.catalogue_version` notes in the
  session that the catalogue changed;
- just before that transaction commits (`_before_commit`), the marked engineers' rows are
  computed again; when the readiness rules changed (`Catalogue.rules`, a digest of every
  module's spec and the live roles, differs from `catalogue_version.steps_rules`), everyone's
  are, and the digest is stored with them; then the company's counts of the teams concerned
  follow (`tracker.operations.standing_counts`);
- `flask figures rebuild` computes everyone's (`rebuild`); `differences()` says where the table
  and a computation from evidence disagree.

Inside the writing transaction, before it commits, the marked engineers' rows are still the
old ones: a read that must see its own write computes from evidence (as `reads.progress` does).
Reads use the table only while the digest it was computed with is the one in force
(`Catalogue.steps_current`); otherwise (a database just upgraded, say) they compute figures from
evidence, by the same rules, until `flask figures rebuild` runs or the catalogue next changes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from typing import Any

from flask import has_app_context
from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import Session

from tracker.bulk import write_rows
from tracker.extensions import db
from tracker.history import role_steps
from tracker.models import (
    CatalogueVersion,
    EvidenceFirst,
    ReadinessStep,
    TargetRole,
    Team,
    User,
)
from tracker.models.readiness import LAST_STEP_UNTIL
from tracker.operations import band_changes, standing_counts
from tracker.operations.catalogue_version import CHANGED, bump
from tracker.operations.row_locks import lock
from tracker.readiness import demonstrated_dates
from tracker.reads.catalogue import Catalogue, load_catalogue
from tracker.reads.records import first_evidence

_BATCH = 1_000  # engineers per statement, well under every database's bound-parameter limit
_PEOPLE = "tracker.steps.people"  # session.info: ids of engineers to compute again
_EVERYONE = "tracker.steps.everyone"  # session.info: compute everyone's again


def mark(session: Session, user_ids: Iterable[int] | None) -> None:
    """Compute these engineers' steps (everyone's when None) again before `session` commits."""
    if user_ids is None:
        session.info[_EVERYONE] = True
    else:
        session.info.setdefault(_PEOPLE, set()).update(user_ids)


def step_rows(
    catalogue: Catalogue, role_ids: dict[str, int], people: dict[int, list[Any]]
) -> Iterator[dict[str, Any]]:
    """Yield the rows of these people's steps, from their earliest evidence."""
    roles = list(catalogue.roles.values())
    for user_id, items in people.items():
        dates = demonstrated_dates(catalogue.modules, items)
        for key, steps in role_steps(catalogue.modules, dates, roles).items():
            ends = [day for day, _ in steps[1:]] + [LAST_STEP_UNTIL]
            for (day, value), until in zip(steps, ends, strict=True):
                yield {
                    "user_id": user_id,
                    "role_id": role_ids[key],
                    "from_on": day,
                    "until_on": until,
                    "tenths": round(value * 10),
                }


def _role_ids(session: Session) -> dict[str, int]:
    return {key: id_ for key, id_ in session.execute(select(TargetRole.key, TargetRole.id))}


def compute(session: Session, catalogue: Catalogue, user_ids: Collection[int]) -> None:
    """Compute the steps of these engineers again (three statements per thousand).

    For up to a thousand engineers (a write of some people's evidence), their teams'
    `band_changes` take their old steps away and add the new ones here (four statements more,
    and a lock of the teams, taken after the people's as every recount does); for more, or when
    every team is counted again anyway, their teams are counted again before the commit.
    """
    role_ids = _role_ids(session)
    people = sorted(set(user_ids))
    keep_bands = len(people) <= _BATCH and not standing_counts.marked_all(session)
    for start in range(0, len(people), _BATCH):
        batch = people[start : start + _BATCH]
        connection = session.connection()  # not through the session: counted by `mark_people`
        lock(connection, User.id, batch)
        if keep_bands:
            lock(connection, Team.id, select(User.team_id).where(User.id.in_(batch)))
            before = band_changes.changes_of(connection, batch)
        connection.execute(delete(ReadinessStep).where(ReadinessStep.user_id.in_(batch)))
        firsts = first_evidence(
            select(EvidenceFirst.user_id).where(EvidenceFirst.user_id.in_(batch))
        )
        write_rows(ReadinessStep, list(step_rows(catalogue, role_ids, firsts)))
        if keep_bands:
            band_changes.apply(connection, before, band_changes.changes_of(connection, batch))
    standing_counts.mark_people(session, people, bands_kept=keep_bands)


def rebuild(session: Session, catalogue: Catalogue) -> None:
    """Compute everyone's steps with the rules of `catalogue`, and record those rules."""
    connection = session.connection()
    lock(connection, User.id, None)
    connection.execute(delete(ReadinessStep))
    people = session.scalars(select(EvidenceFirst.user_id).distinct()).all()
    standing_counts.mark_all(session)
    compute(session, catalogue, people)
    connection.execute(
        update(CatalogueVersion).where(CatalogueVersion.id == 1).values(steps_rules=catalogue.rules)
    )
    bump(connection)  # a catalogue kept with the old digest is read again


def differences(catalogue: Catalogue) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """Return (rows the table lacks, rows it should not hold) against a computation."""
    columns = ("user_id", "role_id", "from_on", "until_on", "tenths")
    stored = {
        tuple(row)
        for row in db.session.execute(select(*(getattr(ReadinessStep, c) for c in columns)))
    }
    everyone = first_evidence(select(EvidenceFirst.user_id).distinct())
    expected = {
        tuple(row[c] for c in columns)
        for row in step_rows(catalogue, _role_ids(db.session()), everyone)
    }
    return expected - stored, stored - expected


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    """Compute the marked steps again, then the counts of the teams they or other writes changed.

    The counts are read from the steps, so they are settled here, after the steps, rather than
    by a hook of their own whose turn would depend on the order of imports.
    """
    session.flush()  # commit flushes after this hook: the last changes must be marked first
    if any(session.info.get(key) for key in (_PEOPLE, _EVERYONE, CHANGED)):
        _compute_marked(session)
    standing_counts.settle(session)


def _compute_marked(session: Session) -> None:
    """Compute the marked engineers' steps again, or everyone's if the rules changed."""
    people = session.info.pop(_PEOPLE, set())
    everyone = session.info.pop(_EVERYONE, False)
    catalogue_changed = session.info.pop(CHANGED, False)
    if not has_app_context() or session is not db.session():
        # written outside the app's session: reads compute figures from evidence until a rebuild
        connection = session.connection()
        connection.execute(
            update(CatalogueVersion).where(CatalogueVersion.id == 1).values(steps_rules=None)
        )
        bump(connection)
        return
    with session.no_autoflush:
        catalogue = load_catalogue()
        if everyone or (catalogue_changed and not catalogue.steps_current):
            rebuild(session, catalogue)
        elif catalogue.steps_current and people:
            compute(session, catalogue, people)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    for key in (_PEOPLE, _EVERYONE, CHANGED):
        session.info.pop(key, None)
