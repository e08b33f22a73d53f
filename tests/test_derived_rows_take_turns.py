"""Two transactions recomputing one person's derived rows at once take turns (PostgreSQL).

The rows are deleted and inserted again; without a lock on the person's own row first, the
second transaction deletes nothing the first inserted and fails on the primary key. Under load
that was a 500 for an evidence post while L&D's catalogue import recomputed everyone.
"""

from __future__ import annotations

import threading
import time

import pytest
from flask import current_app

from tracker.extensions import db
from tracker.operations import firsts, steps
from tracker.reads.catalogue import load_catalogue


@pytest.fixture
def postgres_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer in at a time")


def _in_turns(second_work) -> list[BaseException]:  # type: ignore[no-untyped-def]
    """Run `second_work` in another app context (its own session and transaction) while this
    session's transaction is open, then commit this one; return what the second raised."""
    raised: list[BaseException] = []
    app = current_app._get_current_object()

    def second() -> None:
        with app.app_context():
            try:
                second_work(db.session())
                db.session.commit()
            except Exception as error:  # handed to the test to assert on
                raised.append(error)
                db.session.rollback()

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.5)
    assert thread.is_alive(), "the second transaction waits for the first"
    db.session.commit()
    thread.join(20)
    assert not thread.is_alive()
    return raised


@pytest.mark.parametrize("everyone", [False, True], ids=["one person", "everyone"])
def test_recomputing_steps_twice_at_once_waits_and_keeps_them_whole(
    postgres_only, scored_team, everyone
):
    catalogue = load_catalogue()
    person = scored_team["people"][0].id
    steps.compute(db.session(), catalogue, [person])
    if everyone:
        raised = _in_turns(lambda other: steps.rebuild(other, catalogue))
    else:
        raised = _in_turns(lambda other: steps.compute(other, catalogue, [person]))
    assert raised == []
    assert steps.differences(load_catalogue()) == (set(), set())


def test_recounting_earliest_evidence_twice_at_once_waits_and_keeps_it_whole(
    postgres_only, scored_team
):
    person = scored_team["people"][0].id
    firsts.recount(db.session.connection(), [person])
    raised = _in_turns(lambda other: firsts.recount(other.connection(), [person]))
    assert raised == []
    with db.engine.connect() as connection:
        assert firsts.differences(connection) == (set(), set())
