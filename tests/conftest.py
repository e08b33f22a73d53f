"""Fixtures: an app per test on real SQLite (and real PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import contextvars
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from flask import Flask, has_app_context
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Engine

from config import TestingConfig
from tests import factories
from tests.catalogue_fixtures import SMALL
from tests.migrated import fresh_sqlite, migrate
from tests.postgres import throwaway_database
from tracker import clock, create_app
from tracker.catalogue.service import import_text
from tracker.extensions import db
from tracker.models import (
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    Module,
    Role,
    StaffingTarget,
    TargetRole,
    User,
)
from tracker.operations import band_changes, module_stats, pending_tallies, standing_counts, steps
from tracker.operations.firsts import differences
from tracker.reads.catalogue import load_catalogue


def pytest_configure(config: pytest.Config) -> None:
    """Run the session from noon UTC of the day it starts, with the clock ticking.

    Tests compute dates such as "today" and "tomorrow" when they are collected and compare them
    with what the app stamps minutes later; started at noon, a run of a few minutes never sees
    the date change under it, whenever CI happens to start it.
    """
    noon = datetime.combine(datetime.now(UTC).date(), datetime.min.time(), tzinfo=UTC)
    traveller = time_machine.travel(noon + timedelta(hours=12), tick=True)
    traveller.start()
    config.add_cleanup(traveller.stop)


BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A database URL for the whole session, with the schema created once."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'tracker.db'}"
        else:
            name = f"tracker_test_{worker}_{uuid.uuid4().hex[:8]}"
            url = stack.enter_context(throwaway_database(name))
        app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            db.create_all()
            db.engine.dispose()
        yield url


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database at the head revision (by the migrations), to copy from."""
    path = tmp_path_factory.mktemp("migrated") / "migrated.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="module")
def postgres_template() -> Iterator[str | None]:
    """The name of an empty PostgreSQL database at the head revision (None without one)."""
    if "postgresql" not in BACKENDS:
        yield None
        return
    name = f"tracker_template_{uuid.uuid4().hex[:8]}"
    with throwaway_database(name) as url:
        migrate(url)
        yield name


@pytest.fixture(params=BACKENDS)
def migrated_database(
    request: pytest.FixtureRequest,
    sqlite_template: Path,
    postgres_template: str | None,
    tmp_path: Path,
) -> Iterator[str]:
    """The URL of a new, empty database at the head revision: a SQLite file, or PostgreSQL."""
    if request.param == "sqlite":
        yield fresh_sqlite(sqlite_template, tmp_path)
        return
    name = f"tracker_migrated_{uuid.uuid4().hex[:8]}"
    with throwaway_database(name, template=postgres_template) as url:
        yield url


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    The `app` fixture keeps an app context pushed for the test body; without this, Flask would
    reuse it for requests, sharing `g` (and Flask-Login's cached user) and the database session
    between the test and the app. After each request the test's session is expired so the test
    reads what the request committed.
    """

    def open(self, *args, **kwargs):  # type: ignore[override]
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():  # not inside a redirect the client follows by itself
            db.session.expire_all()
        return response


def _check_derived_tables() -> None:
    """Fail the test if a write left a derived table out of step with the evidence.

    `readiness_steps` is checked whenever it claims the rules in force (figures read it then);
    `standing_counts` and `band_changes` always equal a count of `readiness_steps`, whatever
    rules those hold.
    """
    db.session.rollback()
    with db.engine.connect() as conn:
        missing, extra = differences(conn)
    assert not missing and not extra, (
        f"evidence_firsts differs from a recount of the evidence: lacks {sorted(missing)[:3]}, "
        f"holds {sorted(extra)[:3]} it should not"
    )
    with db.engine.connect() as conn:
        missing, extra = module_stats.differences(conn)
    assert not missing and not extra, (
        f"module_stats differs from a count of the evidence: lacks {sorted(missing)[:3]}, "
        f"holds {sorted(extra)[:3]} it should not"
    )
    with db.engine.connect() as conn:
        missing, extra = pending_tallies.differences(conn)
    assert not missing and not extra, (
        f"pending_tallies differs from a count of the pending evidence: lacks "
        f"{sorted(missing, key=repr)[:3]}, holds {sorted(extra, key=repr)[:3]} it should not"
    )
    catalogue = load_catalogue()
    if catalogue.steps_current:
        missing, extra = steps.differences(catalogue)
        assert not missing and not extra, (
            f"readiness_steps differs from a computation from evidence: lacks "
            f"{sorted(missing)[:3]}, holds {sorted(extra)[:3]} it should not"
        )
    with db.engine.connect() as conn:
        missing, extra = standing_counts.differences(conn)
    assert not missing and not extra, (
        f"standing_counts differs from a count of readiness_steps: lacks {sorted(missing)[:3]}, "
        f"holds {sorted(extra)[:3]} it should not"
    )
    with db.engine.connect() as conn:
        missing, extra = band_changes.differences(conn)
    assert not missing and not extra, (
        f"band_changes differs from a count of readiness_steps: lacks {sorted(missing)[:3]}, "
        f"holds {sorted(extra)[:3]} it should not"
    )
    db.session.rollback()


def _empty_tables() -> None:
    db.session.rollback()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


_ENGINES: dict[str, Engine] = {}


def _share_engine(app: Flask, url: str) -> None:
    """Give `app` this test process's one engine for `url`, made by the first app on it.

    An engine keeps the SQL it has compiled and its pooled connections: each test's app on a
    new engine compiled every statement again and opened new connections, about a tenth of a
    second per test. Tests that listen to the engine's events remove their listeners.
    """
    engines = db._app_engines[app]  # Flask-SQLAlchemy's engines by app, made by init_app
    own = engines[None]
    shared = _ENGINES.setdefault(url, own)
    if shared is not own:
        engines[None] = shared
        own.dispose()


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """The app in testing mode, with an app context pushed for the test body; tables emptied after.

    Requests from `client` run in app contexts of their own (see IsolatedClient). Every such
    app on `database_url` uses one engine (see _share_engine).
    """
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url)
    app.test_client_class = IsolatedClient
    _share_engine(app, database_url)
    with app.app_context():
        yield app
        try:
            _check_derived_tables()
        finally:
            _empty_tables()
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for `app`."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner for `app`."""
    return app.test_cli_runner()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Create and commit a person: make_user(email=..., roles=..., team=..., password=...)."""
    return factories.make_user


@pytest.fixture
def make_team(app: Flask):
    """Create and commit a team: make_team(name=..., managers=[...], members=[...])."""
    return factories.make_team


@pytest.fixture
def login_as(client: FlaskClient) -> Callable[[User], FlaskClient]:
    """Give `client` a fresh logged-in session for a person, without the login form."""

    def login(user: User) -> FlaskClient:
        with client.session_transaction() as sess:
            sess.clear()
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
            sess["login_at"] = sess["seen_at"] = int(time.time())
        return client

    return login


class StatementCounter:
    """Counts the SQL statements the app sends while it is active."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_statements(app: Flask):
    """Return a context manager that counts the statements sent inside it."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        counter = StatementCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting


@pytest.fixture
def scored_team(app, make_user, make_team):
    """A team of four with a lead: one ready, one stalled, one rising, one not started; a target."""
    today = clock.today()
    import_text(SMALL, "small.yaml")
    lead = make_user(email="lead@corp.test", roles=[Role.MANAGER])
    people = [make_user(email=f"e{i}@corp.test", name=f"E{i}") for i in range(4)]
    team = make_team(name="Payments", managers=[lead], members=people)
    modules = {k: v for k, v in db.session.execute(db.select(Module.key, Module.id))}

    def prove(person, key, days_ago, kind=EvidenceKind.ATTEMPT, status=EvidenceStatus.VALID):
        db.session.add(
            Evidence(
                user_id=person.id,
                module_id=modules[key],
                kind=kind,
                date=today - timedelta(days=days_ago),
                status=status,
                score=90 if kind is EvidenceKind.ATTEMPT else None,
                passed=True if kind is EvidenceKind.ATTEMPT else None,
            )
        )
        db.session.commit()

    prove(people[0], "capstone", 10, status=EvidenceStatus.VERIFIED)  # ready
    prove(people[1], "mlcc-classification", 100)  # in progress, no recent velocity
    prove(people[2], "mlcc-classification", 20)  # in progress, rising
    role_id = db.session.scalar(db.select(TargetRole.id).where(TargetRole.key == "ml-engineer"))
    db.session.add(
        StaffingTarget(team_id=team.id, role_id=role_id, count=3, by=today + timedelta(days=365))
    )
    db.session.commit()
    return {"team": team, "lead": lead, "people": people, "prove": prove}
