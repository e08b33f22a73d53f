"""`module_stats` adds up every write of evidence, so module insight never counts it all again.

The `app` fixture checks the table against a count from the evidence after every test, and
tests/test_evidence_firsts.py after each of a random sequence of writes. Here: the writes whose
previous values are easy to lose (a change to evidence read in an earlier transaction, a
delete, statements that cannot say what they changed), and module insight read from it.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.catalogue_fixtures import SMALL
from tracker.catalogue.service import import_text
from tracker.clock import today
from tracker.extensions import db
from tracker.models import Evidence, EvidenceKind, EvidenceStatus, Module, ModuleStat
from tracker.operations import module_stats
from tracker.reads.module_insight import module_insight

TODAY = today()


@pytest.fixture
def quiz(app, make_user):
    import_text(SMALL, "small.yaml")
    engineer = make_user(email="e@corp.test", name="E")
    module = db.session.scalar(db.select(Module).where(Module.key == "mlcc-classification"))
    return {"engineer": engineer, "module": module}


def add(quiz, hours="2.5", passed=True, status=EvidenceStatus.VALID) -> Evidence:  # type: ignore[no-untyped-def]
    item = Evidence(
        user_id=quiz["engineer"].id,
        module_id=quiz["module"].id,
        kind=EvidenceKind.ATTEMPT,
        date=TODAY - timedelta(days=3),
        hours=None if hours is None else Decimal(hours),
        status=status,
        score=90 if passed else 20,
        passed=passed,
    )
    db.session.add(item)
    db.session.commit()
    return item


def in_step() -> None:
    missing, extra = module_stats.differences(db.session.connection())
    assert not missing and not extra, (missing, extra)


def stat(quiz, tenths: int) -> ModuleStat | None:  # type: ignore[no-untyped-def]
    return db.session.get(ModuleStat, (quiz["module"].id, tenths))


def test_changes_to_evidence_read_in_an_earlier_transaction_move_it_between_counts(quiz):
    item = add(quiz)
    assert stat(quiz, 25).pieces == 1 and stat(quiz, 25).passed == 1
    db.session.expire_all()  # nothing loaded: the change must still know what it replaces
    item.hours = Decimal("4.0")
    item.status = EvidenceStatus.REJECTED
    item.decided_at = db.func.now()
    db.session.commit()
    in_step()
    assert stat(quiz, 25) is None  # an emptied count leaves no row
    moved = stat(quiz, 40)
    assert (moved.pieces, moved.rejected, moved.decided) == (1, 1, 1)
    item.status = EvidenceStatus.WITHDRAWN
    db.session.commit()
    in_step()
    assert stat(quiz, 40) is None


def test_a_deleted_piece_of_evidence_is_taken_away(quiz):
    add(quiz, hours=None)
    second = add(quiz, hours=None, passed=False)
    assert stat(quiz, -1).pieces == 2
    db.session.delete(second)
    db.session.commit()
    in_step()
    assert (stat(quiz, -1).pieces, stat(quiz, -1).passed) == (1, 1)
    db.session.expire_all()
    db.session.delete(db.session.get(Evidence, db.session.scalar(db.select(Evidence.id))))
    db.session.commit()
    in_step()


def test_statements_that_cannot_say_what_they_changed_count_everything_again(quiz):
    add(quiz)
    add(quiz, hours="1.0")
    db.session.execute(db.update(Evidence).values(hours=Decimal("3.5")))
    db.session.commit()
    in_step()
    assert stat(quiz, 35).pieces == 2
    db.session.execute(
        db.insert(Evidence),
        [
            {
                "user_id": quiz["engineer"].id,
                "module_id": quiz["module"].id,
                "kind": EvidenceKind.COMPLETION,
                "date": TODAY,
                "status": EvidenceStatus.VALID,
            }
        ],
    )
    db.session.commit()
    in_step()
    db.session.execute(db.delete(Evidence).where(Evidence.hours.is_(None)))
    db.session.commit()
    in_step()


def test_a_rolled_back_write_adds_nothing(quiz):
    add(quiz)
    db.session.add(
        Evidence(
            user_id=quiz["engineer"].id,
            module_id=quiz["module"].id,
            kind=EvidenceKind.COMPLETION,
            date=TODAY,
            status=EvidenceStatus.VALID,
        )
    )
    db.session.flush()
    db.session.rollback()
    add(quiz, hours="2.5")
    in_step()
    assert stat(quiz, 25).pieces == 2


def test_module_insight_reads_the_counts(quiz):
    add(quiz, hours="1.0")
    add(quiz, hours="3.0", passed=False)
    add(quiz, hours="5.0")
    add(quiz, hours="2.0", status=EvidenceStatus.WITHDRAWN)
    (insight,) = module_insight()
    assert insight.key == "mlcc-classification"
    assert (insight.completions, insight.attempts) == (0, 3)
    assert insight.pass_rate == pytest.approx(2 / 3)
    assert insight.median_hours == 3.0
    assert insight.rejection_rate is None
