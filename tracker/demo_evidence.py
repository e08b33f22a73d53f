"""Demo evidence for one engineer at a time: completions and attempts on their path, with
decisions (mostly verified, some pending or rejected) and practice attempts that do not pass."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache

from tracker.models import EvidenceKind, EvidenceStatus


@dataclass(frozen=True)
class ModuleInfo:
    """What the generator needs to know about a module."""

    id: int
    hours: float
    kind: str | None
    pass_mark: int | None
    requires_verification: bool


@cache
def at(day: date) -> datetime:
    """Ten in the morning, UTC, on `day`: when demo things happen."""
    return datetime.combine(day, time(10), tzinfo=UTC)


class EvidenceWriter:
    """Collects rows for one engineer at a time; written in bulk at the end."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng, self.today = rng, today
        self.evidence: list[dict] = []

    def _decision(self, row: dict, manager_id: int | None, day: date) -> None:
        """Decide evidence that needs a reviewer: mostly verified, some pending or rejected."""
        roll = self.rng.random()
        recent = (self.today - day).days < 45
        if recent and roll < 0.6 or manager_id is None:
            row["status"] = EvidenceStatus.PENDING
            return
        decided = min(day + timedelta(days=self.rng.randint(1, 10)), self.today)
        row.update(decided_by_id=manager_id, decided_at=at(decided))
        if roll < 0.12:
            row.update(
                status=EvidenceStatus.REJECTED,
                decision_reason="The link shows the course notebook, not your own model "
                "evaluated against a baseline. Please add your project repo.",
            )
        else:
            row["status"] = EvidenceStatus.VERIFIED

    def _row(self, user_id: int, module: ModuleInfo, day: date, **values: object) -> dict:
        row = {
            "user_id": user_id,
            "module_id": module.id,
            "date": day,
            "hours": None,
            "evidence_url": "",
            "notes": "",
            "score": None,
            "passed": None,
            "status": EvidenceStatus.VALID,
            "source": "demo",
            "recorded_by_id": user_id,
            "created_at": at(day),
            "decided_by_id": None,
            "decided_at": None,
            "decision_reason": "",
        }
        row.update(values)
        self.evidence.append(row)
        return row

    def module(self, user_id: int, module: ModuleInfo, day: date, manager_id: int | None) -> None:
        """Record the evidence that demonstrates `module` on `day` (with a failed try first)."""
        hours = Decimal(str(round(module.hours * self.rng.uniform(0.7, 1.6), 1)))
        url = f"https://git.example.com/demo/{user_id}/{module.id}"
        if module.kind is None:
            row = self._row(
                user_id, module, day, kind=EvidenceKind.COMPLETION, hours=hours, evidence_url=url
            )
            if module.requires_verification:
                self._decision(row, manager_id, day)
            return
        mark = module.pass_mark or 0
        if self.rng.random() < 0.3 and mark > 0:
            failed_on = day - timedelta(days=self.rng.randint(3, 14))
            self._row(
                user_id,
                module,
                failed_on,
                kind=EvidenceKind.ATTEMPT,
                score=self.rng.randint(max(0, mark - 30), mark - 1),
                passed=False,
            )
        row = self._row(
            user_id,
            module,
            day,
            kind=EvidenceKind.ATTEMPT,
            score=self.rng.randint(mark, 100),
            passed=True,
            evidence_url=url,
        )
        if module.kind != "quiz":
            self._decision(row, manager_id, day)

    def practice(
        self,
        user_id: int,
        assessed: list[ModuleInfo],
        demonstrated: dict[int, date],
        start: date,
        count: int,
    ) -> None:
        """Add `count` attempts that do not pass, each before its module was demonstrated."""
        if not assessed:
            return
        draw, today, append = self.rng.random, self.today, self.evidence.append
        base = {
            "user_id": user_id,
            "hours": None,
            "evidence_url": "",
            "notes": "",
            "passed": False,
            "status": EvidenceStatus.VALID,
            "source": "demo",
            "recorded_by_id": user_id,
            "decided_by_id": None,
            "decided_at": None,
            "decision_reason": "",
            "kind": EvidenceKind.ATTEMPT,
        }
        choices = [
            (m.id, (demonstrated.get(m.id, today) - start).days, m.pass_mark or 1) for m in assessed
        ]
        for _ in range(count):
            module_id, last, mark = choices[int(draw() * len(choices))]
            if last < 1:
                continue
            day = start + timedelta(days=int(draw() * last))
            score = mark - 1 - int(draw() * min(40, mark))
            append(
                base | {"module_id": module_id, "date": day, "score": score, "created_at": at(day)}
            )
