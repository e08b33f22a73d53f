"""The JSON shapes of the API's answers, built from the reads' figures (INTERFACES.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

from tracker.models import Evidence
from tracker.reads.progress import Progress
from tracker.reads.team import TeamReadiness


def progress_json(email: str, name: str, progress: Progress) -> dict[str, Any]:
    """Return the progress in the API's documented shape."""
    competencies = sorted(set(progress.levels) | set(progress.claims))
    return {
        "engineer": {"email": email, "name": name},
        "as_of": progress.as_of.isoformat(),
        "levels": {
            c: {"demonstrated": progress.levels.get(c, 0), "claimed": progress.claims.get(c)}
            for c in competencies
        },
        "roles": [
            {
                "role": r.role,
                "readiness": r.readiness,
                "band": r.band.value,
                "projected_ready_on": _iso(r.forecast.projected_ready_on),
                "gaps": [
                    {
                        "competency": g.competency,
                        "demonstrated": g.demonstrated,
                        "required": g.required,
                        "modules": list(g.modules),
                    }
                    for g in r.gaps
                ],
            }
            for r in progress.roles
        ],
        "paths": [
            {
                "path": p.path,
                "next": p.next,
                "done": p.done,
                "total": p.total,
                "assigned_by": p.assigned_by,
                "due_on": _iso(p.due_on),
                "status": p.status,
            }
            for p in progress.paths
        ],
        "evidence": [
            {
                "id": e.id,
                "module": e.module,
                "kind": e.kind,
                "date": e.on.isoformat(),
                "status": e.status,
            }
            for e in progress.records.evidence
            if e.on <= progress.as_of
        ],
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def team_readiness_json(result: TeamReadiness) -> dict[str, Any]:
    """Return the team's readiness in the API's documented shape."""
    return {
        "team": {"id": result.team.id, "name": result.team.name},
        "role": result.role,
        "as_of": result.as_of.isoformat(),
        "engineers": [
            {
                "email": r.email,
                "readiness": r.readiness,
                "band": r.band.value,
                "projected_ready_on": _iso(r.projected_ready_on),
            }
            for r in result.engineers
        ],
        "bands": result.bands,
        "targets": [
            {
                "count": t.count,
                "by": t.by.isoformat(),
                "projected_ready": t.projected_ready,
                "gap": t.gap,
            }
            for t in result.targets
        ],
    }


def evidence_json(
    evidence: Evidence, engineer: str, module: str, recorded_by: str | None, decided_by: str | None
) -> dict[str, Any]:
    """Return a piece of evidence in the API's record shape (people by email)."""
    out: dict[str, Any] = {
        "id": evidence.id,
        "engineer": engineer,
        "module": module,
        "kind": evidence.kind.value,
        "date": evidence.date.isoformat(),
        "status": evidence.status.value,
        "recorded_by": recorded_by,
    }
    if evidence.score is not None:
        out.update(score=evidence.score, passed=evidence.passed)
    if decided_by is not None and evidence.decided_at is not None:
        out.update(decided_by=decided_by, decided_at=evidence.decided_at.isoformat())
    return out
