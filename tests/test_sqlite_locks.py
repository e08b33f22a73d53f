"""SQLite lets one writer in at a time: a write waits for the lock, or is refused unchanged.

Another connection holds the write lock (`BEGIN IMMEDIATE`) on the app's own database file,
as another gunicorn worker's transaction would. Held for a moment, the API's evidence post
waits and is stored; held past the busy timeout, it is answered 503 with `Retry-After`, no row
is written, and the log names SQLite's code for it.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from config import TestingConfig
from tests import factories
from tests.catalogue_fixtures import SMALL
from tests.migrated import migrate
from tracker import clock, create_app
from tracker.catalogue.service import import_text
from tracker.database import SQLITE_PRAGMAS
from tracker.extensions import db
from tracker.models import Evidence
from tracker.operations.tokens import issue_token

EMAIL = "a@corp.test"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Flask, Path, dict[str, str]]]:
    """An app on a migrated SQLite file with a catalogue, one engineer and their API token."""
    path = tmp_path / "tracker.db"
    url = migrate(f"sqlite:///{path}")
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        import_text(SMALL, "small.yaml")
        engineer = factories.make_user(email=EMAIL, password=None)
        headers = {"Authorization": f"Bearer {issue_token(engineer, 't')[1]}"}
        db.session.commit()
        yield app, path, headers
        db.session.remove()
        db.engine.dispose()


@contextmanager
def write_lock_held(path: Path, seconds: float) -> Iterator[None]:
    """Hold the database's write lock from another connection for `seconds` (in a thread)."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    releaser = threading.Timer(seconds, other.rollback)
    releaser.start()
    try:
        yield
    finally:
        releaser.cancel()
        other.rollback()
        other.close()


def post_attempt(client: FlaskClient, headers: dict[str, str]):
    day = (clock.today() - timedelta(days=1)).isoformat()
    body = {"engineer": EMAIL, "module": "mlcc-classification", "taken_on": day, "score": 90}
    return client.post("/api/v1/assessment-attempts", json=body, headers=headers)


def stored(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Evidence)) or 0


def test_the_busy_timeout_comes_first_so_every_pragma_waits_for_the_lock():
    assert SQLITE_PRAGMAS[0].startswith("PRAGMA busy_timeout=")


def test_a_write_waits_for_another_writer_and_is_stored(served):
    app, path, headers = served
    client = app.test_client()
    with write_lock_held(path, seconds=0.5):
        response = post_attempt(client, headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert stored(app) == 1


def test_a_write_that_never_gets_the_lock_is_refused_and_changes_nothing(served, caplog):
    app, path, headers = served
    with app.app_context():
        # this test's connections give up after 0.1 s instead of waiting the full timeout
        event.listen(
            db.engine, "checkout", lambda dbapi, *_: dbapi.execute("PRAGMA busy_timeout=100")
        )
    client = app.test_client()
    with write_lock_held(path, seconds=30), caplog.at_level(logging.WARNING):
        response = post_attempt(client, headers)
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert response.get_json()["error"]["code"] == "unavailable"
    assert "database unavailable on POST /api/v1/assessment-attempts" in caplog.text
    assert "[SQLITE_BUSY]" in caplog.text
    assert stored(app) == 0
    assert post_attempt(client, headers).status_code == 201  # once the lock is free
    assert stored(app) == 1
