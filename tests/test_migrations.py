"""Migrations are the schema: upgrade from empty, no drift from the models, downgrade to base."""

from __future__ import annotations

import logging
import os
import uuid
from datetime import date

import pytest
from flask_migrate import check, downgrade, upgrade
from sqlalchemy import inspect, text

from config import TestingConfig
from tests.catalogue_fixtures import SMALL
from tests.migrated import migrate
from tests.postgres import throwaway_database
from tracker import create_app
from tracker.catalogue.service import import_text
from tracker.extensions import db
from tracker.models import Evidence, EvidenceKind, EvidenceStatus, Module, Team, User
from tracker.operations import pending_tallies

pytestmark = pytest.mark.slow


def _sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'migrated.db'}"


@pytest.fixture(params=["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else []))
def empty_database(request, tmp_path):
    """An empty database, made for this test and dropped after it."""
    if request.param == "sqlite":
        yield _sqlite_url(tmp_path)
        return
    with throwaway_database(f"tracker_migrations_{uuid.uuid4().hex[:10]}") as url:
        yield url


def test_upgrade_check_and_downgrade_round_trip(empty_database):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "evidence", "audit_events", "xapi_statements"} <= tables
        assert tables >= {table.name for table in db.metadata.sorted_tables}
        check()  # exits non-zero when the models and the migrations disagree
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_drift_between_models_and_migrations_is_detected(empty_database):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(text("DROP INDEX ix_evidence_engineer_module_date"))
        with pytest.raises(SystemExit):  # Flask-Migrate logs the diff and exits 1
            check()
        db.engine.dispose()


def test_hot_reads_have_their_indexes(empty_database):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade()
        inspector = inspect(db.engine)
        evidence = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes("evidence")}
        assert evidence["ix_evidence_engineer_module_date"] == ["user_id", "module_id", "date"]
        assert evidence["ix_evidence_status_user"] == ["status", "user_id"]
        assert evidence["ix_evidence_user_date"] == ["user_id", "date"]
        assert evidence["ix_evidence_pending"] == ["user_id", "recorded_by_id"]
        assert "ix_evidence_user_counting" not in evidence  # evidence_firsts answers that now
        firsts = inspector.get_pk_constraint("evidence_firsts")["constrained_columns"]
        assert firsts == ["user_id", "module_id", "kind", "status"]
        counts = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes("standing_counts")}
        assert counts["ix_standing_counts_latest_on"] == ["latest_on"]
        users = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes("users")}
        assert users["ix_users_team_id"] == ["team_id"]
        tallies = {
            ix["name"]: ix["column_names"] for ix in inspector.get_indexes("pending_tallies")
        }
        assert tallies["ix_pending_tallies_team_id"] == ["team_id"]
        db.engine.dispose()


def test_sqlite_connections_are_set_up_for_several_workers(tmp_path):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=_sqlite_url(tmp_path))
    with app.app_context(), db.engine.connect() as conn:
        pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == 15000
        assert pragma("synchronous") == 1  # NORMAL
    with app.app_context():
        db.engine.dispose()


def test_claims_made_before_the_history_keep_their_level_and_date(empty_database):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade(revision="5994b9aa692c")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, email, name, active, session_epoch, failed_logins, "
                    "created_at) VALUES (1, 'a@corp.test', 'A', true, 0, 0, '2026-01-01')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO competencies (id, key, name, family, description, created_at) "
                    "VALUES (1, 'c', 'C', 'data', '', '2026-01-01')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO self_assessments (user_id, competency_id, level, updated_at) "
                    "VALUES (1, 1, 3, '2026-02-03 10:00:00')"
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT user_id, competency_id, level, claimed_at FROM self_assessments")
            ).all()
        assert [(r[0], r[1], r[2], str(r[3])[:10]) for r in rows] == [(1, 1, 3, "2026-02-03")]
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO self_assessments (user_id, competency_id, level, claimed_at) "
                    "VALUES (1, 1, 4, '2026-03-01 10:00:00')"
                )
            )
        downgrade(revision="5994b9aa692c")
        with db.engine.connect() as conn:
            latest = conn.execute(
                text("SELECT user_id, competency_id, level FROM self_assessments")
            ).all()
        assert [tuple(r) for r in latest] == [(1, 1, 4)]
        db.engine.dispose()


def test_the_upgrade_that_adds_the_pending_tallies_counts_the_evidence_already_there(
    empty_database,
):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade()
        import_text(SMALL, "small.yaml")
        team = Team(name="North")
        db.session.add(team)
        db.session.flush()
        people = [User(email=f"e{i}@corp.test", name=f"E{i}", team_id=team.id) for i in (1, 2)]
        db.session.add_all(people)
        db.session.flush()
        module = db.session.scalar(db.select(Module.id).limit(1))
        for person, status in [
            (people[0], "pending"),
            (people[0], "pending"),
            (people[1], "valid"),
        ]:
            db.session.add(
                Evidence(
                    user_id=person.id,
                    module_id=module,
                    kind=EvidenceKind.COMPLETION,
                    status=EvidenceStatus(status),
                    date=date(2026, 11, 2),
                    recorded_by_id=people[1].id,
                )
            )
        db.session.commit()
        downgrade(revision="2f6a8d4c1e97")
        assert "pending_tallies" not in inspect(db.engine).get_table_names()
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT user_id, recorded_by_id, team_id, pieces FROM pending_tallies")
            ).all()
            assert pending_tallies.differences(conn) == (set(), set())
        assert [tuple(r) for r in rows] == [(people[0].id, people[1].id, team.id, 2)]
        db.session.remove()
        db.engine.dispose()


def test_migrating_leaves_the_apps_loggers_on(tmp_path):
    """Alembic configures logging from alembic.ini; the app's loggers keep reporting after it."""
    loggers = [logging.getLogger(name) for name in ("tracker.audit", "tracker.errors")]
    migrate(_sqlite_url(tmp_path))
    assert [logger.disabled for logger in loggers] == [False, False]
