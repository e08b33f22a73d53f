"""`evidence_firsts` (and `readiness_steps` with it) always equal a recount from the evidence.

Figures for many people read each engineer's earliest counting evidence from this table; if a
write forgot it, a team's figures would disagree with the engineer's own page. The `app`
fixture checks the table after every test (tests/conftest.py); here, random sequences of
every kind of write, the commands that check and rebuild it, and the migration that fills it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_migrate import upgrade
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from config import TestingConfig
from tests.catalogue_fixtures import SMALL
from tracker import create_app
from tracker.catalogue.service import import_text
from tracker.clock import today
from tracker.extensions import db
from tracker.models import AuditEvent, Evidence, EvidenceFirst, Module, Role, User
from tracker.operations import (
    AttemptInput,
    CompletionInput,
    RecordError,
    decide,
    module_stats,
    record_attempt,
    record_completion,
    standing_counts,
    withdraw,
)
from tracker.operations import steps as steps_table
from tracker.operations.firsts import differences
from tracker.readiness import demonstrated_dates
from tracker.reads.catalogue import load_catalogue
from tracker.reads.records import evidence_items, first_evidence

TODAY = today()


@pytest.fixture
def people(app, make_user, make_team):
    import_text(SMALL, "small.yaml")
    engineers = [make_user(email=f"e{i}@corp.test", name=f"E{i}") for i in range(2)]
    leads = [
        make_user(email=f"lead{i}@corp.test", name=f"L{i}", roles=[Role.MANAGER]) for i in (1, 2)
    ]
    make_team(name="Payments", managers=leads, members=engineers)
    return {"engineers": engineers, "leads": leads}


def assert_in_step() -> None:
    missing, extra = differences(db.session.connection())
    assert not missing and not extra, (missing, extra)


def assert_steps_in_step() -> None:
    """`readiness_steps`, `standing_counts` and `module_stats` follow when the write commits."""
    missing, extra = module_stats.differences(db.session.connection())
    assert not missing and not extra, (missing, extra)
    catalogue = load_catalogue()
    assert catalogue.steps_current  # the catalogue was loaded through the app: steps kept
    missing, extra = steps_table.differences(catalogue)
    assert not missing and not extra, (missing, extra)
    missing, extra = standing_counts.differences(db.session.connection())
    assert not missing and not extra, (missing, extra)


step = st.tuples(
    st.sampled_from(["complete", "attempt", "decide", "withdraw"]),
    st.integers(0, 1),  # which engineer
    st.integers(0, 20),  # which module (modulo how many there are) or piece of evidence
    st.integers(0, 60),  # how many days ago
    st.integers(0, 100),  # score, or verify (even) / reject (odd)
)


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(step, min_size=1, max_size=12))
def test_every_write_keeps_the_table_equal_to_a_recount(people, steps):
    modules = list(db.session.scalars(db.select(Module).order_by(Module.key)))
    assessed = [m for m in modules if m.assessment_kind is not None]
    first, second = people["leads"]
    try:
        for action, who, pick, days_ago, number in steps:
            engineer = people["engineers"][who]
            on = TODAY - timedelta(days=days_ago)
            by = engineer if number % 3 else first  # some recorded by a manager
            try:
                if action == "complete":
                    module = modules[pick % len(modules)]
                    data = CompletionInput(on, evidence_url="https://x.example/done")
                    record_completion(engineer, module, data, by, TODAY)
                elif action == "attempt" and assessed:
                    module = assessed[pick % len(assessed)]
                    data = AttemptInput(on, number, evidence_url="https://x.example/proof")
                    record_attempt(engineer, module, data, by, TODAY)
                else:
                    mine = list(
                        db.session.scalars(
                            db.select(Evidence)
                            .where(Evidence.user_id == engineer.id)
                            .order_by(Evidence.id)
                        )
                    )
                    if not mine:
                        continue
                    item = mine[pick % len(mine)]
                    if action == "withdraw":
                        withdraw(item, engineer)
                    else:
                        verifier = second if item.recorded_by_id == first.id else first
                        decide(item, verifier, number % 2 == 0, "No link" * (number % 2))
            except RecordError:
                db.session.rollback()
                continue
            db.session.commit()
            assert_in_step()
            assert_steps_in_step()
        # and the figures read through the table are those the full evidence gives
        catalogue = load_catalogue()
        ids = [e.id for e in people["engineers"]]
        full = evidence_items(ids)
        firsts = first_evidence(db.select(User.id).where(User.id.in_(ids)))
        for user_id in ids:
            assert demonstrated_dates(catalogue.modules, firsts.get(user_id, [])) == (
                demonstrated_dates(catalogue.modules, full[user_id])
            )
    finally:
        db.session.rollback()
        db.session.execute(db.delete(EvidenceFirst))
        db.session.execute(db.delete(Evidence))
        db.session.commit()


def test_check_finds_a_table_out_of_step_and_rebuild_puts_it_right(app, runner, people):
    engineer = people["engineers"][0]
    quiz = db.session.scalar(db.select(Module).where(Module.key == "mlcc-classification"))
    record_attempt(engineer, quiz, AttemptInput(TODAY, 90), engineer, TODAY)  # counts at once
    db.session.commit()
    assert runner.invoke(args=["figures", "check"]).exit_code == 0

    db.session.execute(db.delete(EvidenceFirst))
    db.session.commit()
    checked = runner.invoke(args=["figures", "check"])
    assert checked.exit_code == 1
    assert "1 row(s) missing" in checked.output and "flask figures rebuild" in checked.output

    rebuilt = runner.invoke(args=["figures", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert rebuilt.output.strip() == (
        "Rebuilt the earliest-evidence table (1 row) and the readiness table (2 rows)."
    )
    assert runner.invoke(args=["figures", "check"]).exit_code == 0
    assert (
        db.session.scalar(
            db.select(AuditEvent.detail).where(AuditEvent.action == "figures.rebuilt")
        )
        == "rows=1 steps=2"
    )


def test_the_migration_fills_the_table_from_the_evidence_already_there(tmp_path):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'old.db'}")
    with app.app_context():
        upgrade(revision="4b8e6c1d2f30")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, email, name, active, session_epoch, failed_logins, "
                    "created_at) VALUES (1, 'a@corp.test', 'A', true, 0, 0, '2026-01-01')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO modules (id, key, title, url, hours, requires_verification, "
                    "created_at) VALUES (1, 'm', 'M', 'https://m.example', 1, false, "
                    "'2026-01-01'), (2, 'q', 'Q', 'https://q.example', 1, false, '2026-01-01')"
                )
            )
            rows = [  # module, kind, date, passed, status
                (1, "completion", "2026-03-05", None, "valid"),
                (1, "completion", "2026-02-01", None, "valid"),  # the earlier one
                (1, "completion", "2026-01-10", None, "withdrawn"),  # cannot count
                (2, "attempt", "2026-01-15", False, "valid"),  # not passed
                (2, "attempt", "2026-02-20", True, "valid"),
                (2, "attempt", "2026-02-10", True, "pending"),  # waits: not yet
            ]
            for i, (module, kind, on, passed, status) in enumerate(rows, start=1):
                conn.execute(
                    text(
                        "INSERT INTO evidence (id, user_id, module_id, kind, date, evidence_url, "
                        "notes, score, passed, status, source, created_at, decision_reason) VALUES "
                        "(:id, 1, :module, :kind, :on, '', '', :score, :passed, :status, 'web', "
                        "'2026-03-06', '')"
                    ),
                    {
                        "id": i,
                        "module": module,
                        "kind": kind,
                        "on": on,
                        "score": None if passed is None else 90 if passed else 40,
                        "passed": passed,
                        "status": status,
                    },
                )
        upgrade()
        with db.engine.connect() as conn:
            stored = sorted(
                tuple(map(str, row))
                for row in conn.execute(
                    text("SELECT user_id, module_id, kind, status, first_on FROM evidence_firsts")
                )
            )
            assert stored == [
                ("1", "1", "completion", "valid", "2026-02-01"),
                ("1", "2", "attempt", "valid", "2026-02-20"),
            ]
            assert differences(conn) == (set(), set())
        db.engine.dispose()


def test_statements_on_evidence_sent_through_the_session_are_recounted_too(people):
    engineer, quiz = people["engineers"][0], "mlcc-classification"
    module = db.session.scalar(db.select(Module).where(Module.key == quiz))
    record_attempt(engineer, module, AttemptInput(TODAY, 95), engineer, TODAY)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(EvidenceFirst)) == 1
    db.session.execute(
        db.update(Evidence).where(Evidence.user_id == engineer.id).values(date=TODAY - timedelta(1))
    )
    assert_in_step()
    db.session.execute(db.delete(Evidence).where(Evidence.user_id == engineer.id))
    assert_in_step()
    assert db.session.scalar(db.select(db.func.count()).select_from(EvidenceFirst)) == 0
    db.session.rollback()


def test_an_insert_statement_with_its_values_inside_is_recounted_too(people):
    engineer = people["engineers"][1]
    module = db.session.scalar(db.select(Module).where(Module.key == "mlcc-classification"))
    db.session.execute(
        db.insert(Evidence).values(
            user_id=engineer.id,
            module_id=module.id,
            kind="attempt",
            date=TODAY,
            score=90,
            passed=True,
            status="valid",
            evidence_url="",
            notes="",
            source="api",
            decision_reason="",
        )
    )
    assert_in_step()
    assert db.session.scalar(db.select(db.func.count()).select_from(EvidenceFirst)) == 1
    db.session.rollback()
