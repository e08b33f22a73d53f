"""A person's evidence as people read it: what it means, who recorded and decided it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from tracker.extensions import db
from tracker.models import Evidence, Module, User
from tracker.readiness import EvidenceItem, Verdict, verdict
from tracker.reads.catalogue import Catalogue, load_catalogue

WORDS = {
    Verdict.COUNTS: "counts",
    Verdict.NOT_PASSED: "not passed",
    Verdict.WAITS: "waits for verification",
    Verdict.REJECTED: "rejected",
    Verdict.WITHDRAWN: "withdrawn",
    Verdict.NOT_COUNTED: "does not count",
}


@dataclass(frozen=True)
class EvidenceRow:
    """One piece of evidence with its verdict and the people behind it."""

    evidence: Evidence
    module: str
    verdict: Verdict
    recorded_by: str | None
    decided_by: str | None
    module_key: str = ""  # the module's key: its course link and "Log it" are found by it

    @property
    def words(self) -> str:
        """The verdict in plain words."""
        return WORDS[self.verdict]


SOURCES = {"xapi": "a learning platform (xAPI)"}


def recorder(name: str | None, evidence: Evidence) -> str | None:
    """Who recorded the evidence: the person, or the system that reported it."""
    return name or SOURCES.get(evidence.source)


def item_of(evidence: Evidence, module_key: str) -> EvidenceItem:
    """Return the engine's view of a piece of evidence."""
    return EvidenceItem(
        module_key,
        evidence.kind.value,
        evidence.date,
        evidence.status.value,
        evidence.passed,
        evidence.id,
    )


def evidence_of(
    user_id: int, catalogue: Catalogue | None = None, as_of: date | None = None
) -> list[EvidenceRow]:
    """Return a person's evidence, newest first (one statement besides the catalogue).

    With `as_of`, only the evidence dated on or before it: what the figures as of that day
    count, each with its status now (the rule `reads.figures.figures` applies).
    """
    catalogue = catalogue or load_catalogue()
    recording, decider = db.aliased(User), db.aliased(User)
    query = (
        db.select(Evidence, Module.key, Module.title, recording.name, decider.name)
        .join(Module, Module.id == Evidence.module_id)
        .outerjoin(recording, recording.id == Evidence.recorded_by_id)
        .outerjoin(decider, decider.id == Evidence.decided_by_id)
        .where(Evidence.user_id == user_id)
        .order_by(Evidence.date.desc(), Evidence.id.desc())
    )
    if as_of is not None:
        query = query.where(Evidence.date <= as_of)
    rows = db.session.execute(query).all()
    return [
        EvidenceRow(
            evidence,
            title,
            verdict(catalogue.modules[key], item_of(evidence, key)),
            recorder(recorded_by, evidence),
            decided_by,
            key,
        )
        for evidence, key, title, recorded_by, decided_by in rows
    ]


@dataclass(frozen=True)
class EvidencePeople:
    """Who recorded a piece of evidence and who decided it, by email (the API's people)."""

    recorded_by: str | None  # None when an integration, not a person, reported it
    decided_by: str | None
    decided_at: datetime | None


def evidence_people(user_id: int, as_of: date) -> dict[int, EvidencePeople]:
    """Return, per evidence id, who recorded and who decided (by email, and when) each piece
    of this person's evidence dated on or before `as_of` (one statement)."""
    recording, decider = db.aliased(User), db.aliased(User)
    rows = db.session.execute(
        db.select(Evidence.id, recording.email, decider.email, Evidence.decided_at)
        .outerjoin(recording, recording.id == Evidence.recorded_by_id)
        .outerjoin(decider, decider.id == Evidence.decided_by_id)
        .where(Evidence.user_id == user_id, Evidence.date <= as_of)
    )
    return {id_: EvidencePeople(by, decided_by, at) for id_, by, decided_by, at in rows}
