"""For writers below the ORM: have every table derived from evidence follow what they wrote.

The ORM's hooks keep `evidence_firsts`, `readiness_steps` and `module_stats` in step with every
write sent through a session. A writer that inserts evidence below the ORM (the demo seed, a
data import) calls `evidence_written` for the people it wrote evidence of (or everyone).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from tracker.operations import firsts, module_stats


def evidence_written(session: Session, user_ids: Iterable[int] | None = None) -> None:
    """Recount what figures read for these people (everyone when None), in this transaction."""
    firsts.recount_for(session, user_ids)
    module_stats.mark_all(session)
