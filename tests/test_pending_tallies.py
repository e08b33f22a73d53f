"""The Verify count reads `pending_tallies`, which every write keeps equal to the evidence.

Two teams, each with its own manager; evidence waits for a decision and people move between
the teams, by the ORM and by a statement. After each write the tallies equal a count from the
evidence (also checked after every test) and each manager's Verify count follows; `flask
figures check` finds a tally out of step and `flask figures rebuild` mends it.
"""

from datetime import date

import pytest
from sqlalchemy import delete, event, update

from tests.catalogue_fixtures import SMALL
from tracker.catalogue.service import import_text
from tracker.extensions import db
from tracker.models import Evidence, EvidenceKind, EvidenceStatus, Module, PendingTally, Role, User
from tracker.operations import pending_tallies
from tracker.reads.queue import decidable_count


@pytest.fixture
def two_teams(app, make_user, make_team):
    import_text(SMALL, "small.yaml")
    north_lead = make_user(email="north@corp.test", roles=[Role.MANAGER])
    south_lead = make_user(email="south@corp.test", roles=[Role.MANAGER])
    ana, ben = make_user(email="ana@corp.test"), make_user(email="ben@corp.test")
    north = make_team(name="North", managers=[north_lead], members=[ana, ben])
    south = make_team(name="South", managers=[south_lead])
    return {
        "north": north,
        "south": south,
        "ana": ana,
        "ben": ben,
        "north_lead": north_lead,
        "south_lead": south_lead,
    }


def pending(engineer, recorder=None, days=1):
    module = db.session.scalar(db.select(Module.id).order_by(Module.id).limit(1))
    piece = Evidence(
        user_id=engineer.id,
        module_id=module,
        kind=EvidenceKind.COMPLETION,
        status=EvidenceStatus.PENDING,
        date=date(2026, 11, days),
        recorded_by_id=None if recorder is None else recorder.id,
    )
    db.session.add(piece)
    return piece


def in_step():
    missing, extra = pending_tallies.differences(db.session.connection())
    return not missing and not extra


def counts(org):
    return decidable_count(org["north_lead"]), decidable_count(org["south_lead"])


def test_the_tallies_and_the_verify_counts_follow_every_write(two_teams):
    org = two_teams
    first = pending(org["ana"])
    pending(org["ana"], recorder=org["north_lead"], days=2)  # its recorder may not decide it
    pending(org["ben"], days=3)
    db.session.commit()
    assert in_step() and counts(org) == (2, 0)

    org["ana"].team_id = org["south"].id  # a move by the ORM takes her pieces along
    db.session.commit()
    assert in_step() and counts(org) == (1, 2)

    db.session.execute(  # and by a statement
        update(User).where(User.id == org["ana"].id).values(team_id=org["north"].id)
    )
    db.session.commit()
    assert in_step() and counts(org) == (2, 0)

    first.status = EvidenceStatus.VERIFIED  # a decision leaves the queue
    db.session.commit()
    assert in_step() and counts(org) == (1, 0)

    db.session.execute(delete(Evidence).where(Evidence.user_id == org["ben"].id))
    db.session.commit()
    assert in_step() and counts(org) == (0, 0)
    assert db.session.scalars(db.select(PendingTally.pieces)).all() == [1]  # ana's, by the lead


def test_a_write_that_is_rolled_back_leaves_the_tallies_as_they_were(two_teams):
    org = two_teams
    pending(org["ana"])
    db.session.commit()
    pending(org["ben"])
    org["ana"].team_id = org["south"].id
    db.session.flush()
    db.session.rollback()
    pending(org["ben"], days=4)  # the next transaction counts only what it wrote
    db.session.commit()
    assert in_step() and counts(org) == (2, 0)


def test_the_verify_count_reads_the_tallies_not_the_evidence(two_teams):
    org = two_teams
    pending(org["ana"])
    db.session.commit()
    sent: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        sent.append(" ".join(statement.lower().split()))

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert decidable_count(org["north_lead"]) == 1
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert any("from pending_tallies" in statement for statement in sent)
    assert not any("evidence " in statement.replace("pending_tallies", "") for statement in sent)


def test_figures_check_finds_a_tally_out_of_step_and_rebuild_mends_it(two_teams, runner):
    org = two_teams
    pending(org["ana"])
    pending(org["ben"])
    db.session.commit()
    with db.engine.begin() as conn:
        conn.execute(delete(PendingTally).where(PendingTally.user_id == org["ben"].id))
        conn.execute(update(PendingTally).values(pieces=PendingTally.pieces + 1))
    result = runner.invoke(args=["figures", "check"])
    assert result.exit_code == 1
    assert "pending evidence tallies differ from the evidence: 2 row(s) missing, 1 row(s)" in (
        result.output
    )
    assert runner.invoke(args=["figures", "rebuild"]).exit_code == 0
    result = runner.invoke(args=["figures", "check"])
    assert result.exit_code == 0, result.output
    assert counts(org) == (2, 0)
