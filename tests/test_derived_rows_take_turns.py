"""Two transactions recomputing one person's derived rows at once take turns (PostgreSQL).

The rows are deleted and inserted again; without a lock on the person's own row first, the
second transaction deletes nothing the first inserted and fails on the primary key. Under load
that was a 500 for an evidence post while L&D's catalogue import recomputed everyone.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.clock import today
from tracker.extensions import db
from tracker.models import BandChange, Evidence, EvidenceKind, EvidenceStatus, Module
from tracker.operations import band_changes, firsts, steps
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


def test_two_people_of_one_team_computed_at_once_take_turns_on_its_band_changes(
    postgres_only, scored_team
):
    """Each transaction takes one person's old steps out of the team's band changes and adds
    the new ones; the team's row is locked first, so the second adds to what the first wrote."""
    catalogue = load_catalogue()
    first, second = (scored_team["people"][i].id for i in (1, 3))

    def prove_and_compute(session: Session, person: int) -> None:
        evidence = Evidence(
            user_id=person,
            module_id=session.scalar(select(Module.id).where(Module.key == "capstone")),
            kind=EvidenceKind.ATTEMPT,
            date=today() - timedelta(days=5),
            status=EvidenceStatus.VALID,
            score=95,
            passed=True,
        )
        session.add(evidence)
        session.flush()  # their earliest evidence counted again
        steps.compute(session, catalogue, [person])  # as the commit would, but now

    prove_and_compute(db.session(), first)
    raised = _in_turns(lambda other: prove_and_compute(other, second))
    assert raised == []
    with db.engine.connect() as connection:
        assert band_changes.differences(connection) == (set(), set())
        team_rows = connection.scalar(
            select(func.count()).where(BandChange.team_id == scored_team["team"].id)
        )
    assert team_rows > 0
