"""A catalogue with two roles and a module off the path, and an engineer part way along it."""

from __future__ import annotations

from datetime import timedelta

from tests.catalogue_fixtures import SMALL
from tracker.catalogue.service import import_text
from tracker.clock import today
from tracker.extensions import db
from tracker.models import Enrolment, Evidence, EvidenceKind, EvidenceStatus, LearningPath, Module

DATA_ENGINEER = """\
  - key: data-engineer
    name: Data Engineer
    family: platform
    requires:
      - {competency: model-evaluation, level: 2}
      - {competency: ml-pipelines, level: 1}
modules:
  - key: aaa-pipelines
    title: Pipelines elsewhere
    url: https://courses.example.net/pipelines
    hours: 2
    develops:
      - {competency: ml-pipelines, level: 2}
"""

TWO_ROLES = SMALL.replace("modules:\n", DATA_ENGINEER, 1)


def load_two_roles() -> None:
    """Import the catalogue with ML Engineer and Data Engineer."""
    import_text(TWO_ROLES, "two-roles.yaml")
    db.session.commit()


def add_evidence(person, key: str, days_ago: int, kind=EvidenceKind.ATTEMPT) -> None:
    """Add evidence that counts (a passed attempt, or a plain completion)."""
    module = db.session.scalar(db.select(Module.id).where(Module.key == key))
    attempt = kind is EvidenceKind.ATTEMPT
    db.session.add(
        Evidence(
            user_id=person.id,
            module_id=module,
            kind=kind,
            date=today() - timedelta(days=days_ago),
            status=EvidenceStatus.VALID,
            score=90 if attempt else None,
            passed=True if attempt else None,
        )
    )
    db.session.commit()


def enrol(person, path_key: str = "swe-to-mle") -> None:
    """Put `person` on a path, chosen by themselves."""
    path = db.session.scalar(db.select(LearningPath).where(LearningPath.key == path_key))
    db.session.add(Enrolment(user_id=person.id, path_id=path.id))
    db.session.commit()
