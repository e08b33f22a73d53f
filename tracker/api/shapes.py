"""The API's answers built from the reads' figures, ready for the schemas in schemas.py.

These return plain Python values (dates, numbers, text); the answer schemas turn them into
JSON, so every format (dates, enums) is the one the OpenAPI document states.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracker.models import Evidence
from tracker.reads.evidence import EvidencePeople
from tracker.reads.progress import Progress
from tracker.reads.team import TeamReadiness


def progress_json(
    email: str, name: str, progress: Progress, people: Mapping[int, EvidencePeople]
) -> dict[str, Any]:
    """Return the progress in the shape of `ProgressSchema`.

    Each piece of evidence names who recorded and who decided it (`people`, by evidence id, from
    `reads.evidence.evidence_people`; people by email, as in `evidence_json`).
    """
    competencies = sorted(set(progress.levels) | set(progress.claims))
    return {
        "engineer": {"email": email, "name": name},
        "as_of": progress.as_of,
        "levels": {
            c: {"demonstrated": progress.levels.get(c, 0), "claimed": progress.claims.get(c)}
            for c in competencies
        },
        "roles": [
            {
                "role": r.role,
                "readiness": r.readiness,
                "band": r.band.value,
                "projected_ready_on": r.forecast.projected_ready_on,
                "gaps": r.gaps,
            }
            for r in progress.roles
        ],
        "paths": progress.paths,
        "evidence": [
            _people(
                {"id": e.id, "module": e.module, "kind": e.kind, "date": e.on, "status": e.status},
                people[e.id],
            )
            for e in progress.records.evidence
            if e.on <= progress.as_of
        ],
    }


def team_readiness_json(result: TeamReadiness) -> dict[str, Any]:
    """Return the team's readiness in the shape of `TeamReadinessSchema`, but its engineers."""
    return {
        "team": result.team,
        "role": result.role,
        "as_of": result.as_of,
        "engineers": [],
        "bands": result.bands,
        "targets": result.targets,
    }


def engineer_rows_json(result: TeamReadiness) -> list[dict[str, Any]]:
    """Return the engineers of a team's readiness as `EngineerReadinessSchema` dumps them.

    Built as JSON values directly: a team of 1,000 costs building its rows, not a schema's walk
    over 4,000 fields (tests check the two agree).
    """
    return [
        {
            "email": r.email,
            "readiness": r.readiness,
            "band": r.band.value,
            "projected_ready_on": r.projected_ready_on and r.projected_ready_on.isoformat(),
        }
        for r in result.engineers
    ]


def evidence_json(
    evidence: Evidence, engineer: str, module: str, recorded_by: str | None, decided_by: str | None
) -> dict[str, Any]:
    """Return a piece of evidence in the shape of `EvidenceSchema` (people by email)."""
    out: dict[str, Any] = {
        "id": evidence.id,
        "engineer": engineer,
        "module": module,
        "kind": evidence.kind.value,
        "date": evidence.date,
        "status": evidence.status.value,
    }
    if evidence.score is not None:
        out.update(score=evidence.score, passed=evidence.passed)
    return _people(out, EvidencePeople(recorded_by, decided_by, evidence.decided_at))


def _people(out: dict[str, Any], who: EvidencePeople) -> dict[str, Any]:
    """Add who recorded the evidence and, once decided, who decided it and when."""
    out["recorded_by"] = who.recorded_by
    if who.decided_by is not None and who.decided_at is not None:
        out.update(decided_by=who.decided_by, decided_at=who.decided_at)
    return out
