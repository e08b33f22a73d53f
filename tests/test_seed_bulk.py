"""The demo seed's bulk path writes what the normal path would, only faster.

On PostgreSQL rows go in by binary COPY; tables that start empty get their indexes (and on
PostgreSQL their foreign keys) built once, after the load; the tables derived from evidence
are computed once for everyone at the end. Each shortcut must leave the same rows, the same
schema and the same guarantees as writing piece by piece.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from config import TestingConfig
from tests.postgres import throwaway_database
from tracker import bulk, create_app
from tracker.bulk import loading, write_rows
from tracker.catalogue.service import load_default_catalogue
from tracker.demo import seed_people
from tracker.demo_history import generate_history
from tracker.extensions import db
from tracker.models import Evidence, EvidenceKind, EvidenceStatus, Module, Role
from tracker.operations import band_changes, firsts, module_stats, standing_counts, steps
from tracker.reads.catalogue import load_catalogue

DAY = date(2026, 11, 1)
SEEDED = (
    "evidence",
    "enrolments",
    "self_assessments",
    "evidence_firsts",
    "readiness_steps",
    "standing_counts",
    "band_changes",
    "module_stats",
)


def _assert_derived_tables_match_the_evidence() -> None:
    connection = db.session.connection()
    for name, (missing, extra) in {
        "evidence_firsts": firsts.differences(connection),
        "module_stats": module_stats.differences(connection),
        "readiness_steps": steps.differences(load_catalogue()),
        "standing_counts": standing_counts.differences(connection),
        "band_changes": band_changes.differences(connection),
    }.items():
        assert not missing and not extra, (name, sorted(missing)[:3], sorted(extra)[:3])


def _schema() -> dict[str, tuple[list, list]]:
    found = inspect(db.session.connection())
    return {
        table: (
            sorted((i["name"], i["column_names"]) for i in found.get_indexes(table)),
            sorted((k["name"], k["constrained_columns"]) for k in found.get_foreign_keys(table)),
        )
        for table in ("evidence", "enrolments", "self_assessments")
    }


def test_a_seeded_organisation_derives_exactly_what_its_evidence_gives(app):
    before = _schema()
    seed_people(150, seed=4)
    load_default_catalogue()
    generate_history(4, DAY, evidence=50)
    db.session.commit()
    assert db.session.scalar(select(db.func.count()).select_from(Evidence)) > 150 * 40
    _assert_derived_tables_match_the_evidence()
    assert _schema() == before  # every index and key the load set aside is back


def test_a_seed_into_a_database_with_evidence_keeps_its_indexes_and_recounts_those_it_wrote(
    app, make_user
):
    load_default_catalogue()
    someone = make_user(email="someone@corp.test", roles=[Role.MANAGER])
    module = db.session.scalars(select(Module).where(Module.assessment_kind.is_(None))).first()
    db.session.add(_completion(someone.id, module.id))
    db.session.commit()
    before = _schema()
    with loading(Evidence) as empty:
        assert not empty
        assert _schema() == before
    seed_people(30, seed=4)
    generate_history(4, DAY, evidence=20)
    db.session.commit()
    _assert_derived_tables_match_the_evidence()
    assert db.session.scalar(
        select(db.func.count()).select_from(Evidence).where(Evidence.user_id == someone.id)
    )


def test_a_load_whose_rows_break_a_foreign_key_fails_when_the_keys_come_back(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps its foreign keys through the load")
    load_default_catalogue()
    module_id = db.session.scalar(select(Module.id))
    with pytest.raises(IntegrityError), loading(Evidence):  # the keys are checked on leaving
        write_rows(Evidence, [_completion_row(999_999, module_id)] * 200)
    db.session.rollback()
    assert not db.session.scalar(select(db.func.count()).select_from(Evidence))


@pytest.mark.parametrize("rows", [3, 250], ids=["few", "many"])
def test_written_rows_read_back_as_given(app, make_user, rows):
    load_default_catalogue()
    person = make_user(email="writer@corp.test")
    module_id = db.session.scalar(select(Module.id))
    given = [_completion_row(person.id, module_id, i) for i in range(rows)]
    assert (rows >= bulk.COPY_FROM) == (rows == 250)
    write_rows(Evidence, given)
    firsts.recount_for(db.session(), [person.id])
    module_stats.mark_all(db.session())
    db.session.commit()
    columns = list(given[0])
    stored = db.session.execute(
        select(*(getattr(Evidence, c) for c in columns)).order_by(Evidence.id)
    ).all()
    assert [dict(zip(columns, row, strict=True)) for row in stored] == given


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL")
def test_postgresql_and_sqlite_seed_the_same_rows(tmp_path: Path):
    """COPY on PostgreSQL and inserts on SQLite: one seed, the same rows in every table."""
    with throwaway_database(f"tracker_seed_{uuid.uuid4().hex[:8]}") as url:
        copied = _seeded(url)
    inserted = _seeded(f"sqlite:///{tmp_path / 'seed.db'}")
    assert copied.keys() == inserted.keys()
    for name in SEEDED:
        assert copied[name] == inserted[name], name
    assert len(copied["evidence"]) > 80 * 25


def _seeded(url: str) -> dict[str, list[tuple]]:
    """Seed 80 engineers into a new database at `url`; return every row of the seeded tables."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        db.create_all()
        seed_people(80, seed=9)
        load_default_catalogue()
        generate_history(9, DAY, evidence=30)
        db.session.commit()
        out = {}
        for name in SEEDED:
            table = db.metadata.tables[name]
            out[name] = [tuple(row) for row in db.session.execute(select(table).order_by(*table.c))]
        db.session.remove()
        db.engine.dispose()
    return out


def _completion_row(user_id: int, module_id: int, i: int = 0) -> dict:
    """A row with every awkward value a COPY must carry: tabs, quotes, backslashes, None."""
    return {
        "user_id": user_id,
        "module_id": module_id,
        "kind": EvidenceKind.COMPLETION,
        "date": date(2026, 1 + i % 12, 1 + i % 28),
        "hours": None if i % 5 == 0 else Decimal(f"{i % 40}.{i % 10}"),
        "evidence_url": f"https://git.example.com/x/{i}?a=1&b='2'",
        "notes": f'line one\tcol\nline "two" \\ back\\slash ünïcode {i}\r\n\\N',
        "score": None,
        "passed": None,
        "status": [EvidenceStatus.VALID, EvidenceStatus.PENDING, EvidenceStatus.REJECTED][i % 3],
        "source": "demo",
        "recorded_by_id": user_id,
        "created_at": datetime(2026, 1, 1, 10, i % 60, tzinfo=UTC),
        "decided_by_id": None,
        "decided_at": None,
        "decision_reason": "",
    }


def _completion(user_id: int, module_id: int) -> Evidence:
    return Evidence(**_completion_row(user_id, module_id, 1))
