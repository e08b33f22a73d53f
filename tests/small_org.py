"""A small organisation on the SMALL catalogue, and random evidence for it.

Shared by the tests that compare figures read from the derived tables with figures computed
from evidence (readiness steps, standing counts, team chart numbers): six engineers E0..E5 and
one manager of every team.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from tests.catalogue_fixtures import SMALL
from tracker.catalogue.service import import_text
from tracker.extensions import db
from tracker.models import Evidence, EvidenceKind, EvidenceStatus, Module, Role, User

ENGINEERS = 6


def small_org(
    make_user: Callable[..., User],
    make_team: Callable[..., Any],
    teams: Sequence[tuple[str, slice]],
    more: Sequence[User] = (),
) -> dict[str, Any]:
    """Import SMALL and make E0..E5 and `teams` (name, which engineers), one lead managing all.

    `more` people (made by the caller) join the first team. Returns the engineers, the teams
    and the modules' ids by key.
    """
    import_text(SMALL, "small.yaml")
    engineers = [make_user(email=f"e{i}@corp.test", name=f"E{i}") for i in range(ENGINEERS)]
    lead = make_user(email="lead@corp.test", roles=[Role.MANAGER])
    made = [
        make_team(
            name=name, managers=[lead], members=[*engineers[which], *(more if i == 0 else ())]
        )
        for i, (name, which) in enumerate(teams)
    ]
    modules = {key: id_ for key, id_ in db.session.execute(db.select(Module.key, Module.id))}
    return {"engineers": engineers, "teams": made, "modules": modules}


def pieces_of_evidence(people: int, days: int) -> st.SearchStrategy[tuple[Any, ...]]:
    """A piece of evidence: (person, module, kind, status, days ago, passed), any of each."""
    return st.tuples(
        st.integers(0, people - 1),  # person
        st.integers(0, 50),  # module, modulo how many
        st.sampled_from(list(EvidenceKind)),
        st.sampled_from(list(EvidenceStatus)),
        st.integers(0, days),  # days ago
        st.booleans(),  # passed, for an attempt
    )


def add_evidence(
    people: Sequence[User], modules: dict[str, int], pieces: Iterable[tuple[Any, ...]], today: date
) -> None:
    """Add each piece (as `pieces_of_evidence` draws them) to the session."""
    keys = sorted(modules)
    for who, pick, kind, status, days_ago, passed in pieces:
        attempt = kind is EvidenceKind.ATTEMPT
        db.session.add(
            Evidence(
                user_id=people[who].id,
                module_id=modules[keys[pick % len(keys)]],
                kind=kind,
                date=today - timedelta(days=days_ago),
                status=status,
                score=(90 if passed else 10) if attempt else None,
                passed=passed if attempt else None,
            )
        )
