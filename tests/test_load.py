"""Nothing lost under load: four gunicorn workers take 800 concurrent evidence posts.

One migrated database per backend (a SQLite file in WAL mode; a throwaway PostgreSQL database
when TEST_DATABASE_URL is set) holds a small catalogue and sixteen engineers, each with an API
token. Sixteen threads, one per engineer, post completions and assessment attempts through
`POST /api/v1/completions` and `/assessment-attempts`; each post carries a unique note, so the
rows can be matched one by one afterwards.

Rate limits stay on, as deployed (the server runs in production mode): the limiter has no
default limit, and the API's evidence routes carry none of their own (only the login and link
requests are limited, per address), so every post from this one loopback address is expected
to be accepted. Should a limit ever be put on these routes, the 429s it answered here would
say that an integration posting evidence in bulk gets throttled.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from config import TestingConfig
from tests import factories
from tests.catalogue_fixtures import SMALL
from tests.postgres import throwaway_database
from tests.servers import Server, gunicorn_server
from tracker import clock, create_app
from tracker.catalogue.service import import_text
from tracker.extensions import db
from tracker.operations.tokens import issue_token

pytestmark = pytest.mark.load

POSTS = 800
THREADS = 16
WORKERS = 4
LOCKED = "database is locked"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@dataclass
class Served:
    """A server under test, the database behind it, and one token per engineer."""

    server: Server
    database_url: str
    tokens: dict[str, str]  # email -> token


def _prepare(url: str) -> dict[str, str]:
    """Migrate `url` with `flask db upgrade`, load a catalogue, make engineers and tokens."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    tokens = {}
    with app.app_context():
        import_text(SMALL, "small.yaml")
        for n in range(THREADS):
            engineer = factories.make_user(email=f"load{n}@corp.test", password=None)
            tokens[engineer.email] = issue_token(engineer, "load test")[1]
        db.session.commit()
        db.engine.dispose()
    return tokens


@pytest.fixture(params=BACKENDS)
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Served]:
    """Serve a freshly migrated database with four workers; show the server's output on failure.

    The server is stopped whatever happens; its output is printed on the way out, which pytest
    shows only when the test failed.
    """
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'tracker.db'}"
        else:
            url = stack.enter_context(throwaway_database(f"tracker_load_{uuid.uuid4().hex[:8]}"))
        tokens = _prepare(url)
        server = stack.enter_context(gunicorn_server(url, workers=WORKERS))
        try:
            yield Served(server, url, tokens)
        finally:
            stack.close()  # stops the server first, so its log is complete
            print(f"--- gunicorn output ({request.param}) ---\n{server.log()}")


def _post(served: Served, n: int) -> tuple[int, str, str]:
    """Send post number `n` for engineer n mod THREADS; return (status, body, its note)."""
    email = f"load{n % THREADS}@corp.test"
    # each engineer's posts on days of their own: the same completion twice would be refused
    day = (clock.today() - timedelta(days=1 + n // THREADS)).isoformat()
    note = f"load post {n}"
    if n % 2:
        path = "/api/v1/assessment-attempts"
        body = {"engineer": email, "module": "mlcc-classification", "taken_on": day}
        body |= {"score": n % 101, "notes": note}
    else:
        path = "/api/v1/completions"
        module = "pipelines-101" if n % 4 else "mlcc-classification"
        body = {"engineer": email, "module": module, "completed_on": day, "notes": note}
    headers = {"Authorization": f"Bearer {served.tokens[email]}"}
    try:
        status, answer = served.server.request("POST", path, body, headers)
    except OSError as error:  # no answer at all: reported with the refusals
        status, answer = 0, f"no answer: {error!r}"
    return status, answer, note


def _thread(served: Served, first: int) -> list[tuple[int, str, str]]:
    """One engineer's posts, one after another: numbers first, first + THREADS, ..."""
    return [_post(served, n) for n in range(first, POSTS, THREADS)]


def _stored(url: str) -> dict[str, int]:
    """Return the note -> id of every evidence row in the database."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT notes, id FROM evidence")).all()
    finally:
        engine.dispose()
    return {notes: id_ for notes, id_ in rows}


def test_concurrent_evidence_posts_are_all_accepted_and_stored(served: Served) -> None:
    """800 posts from 16 threads to 4 workers: every one 201, every one a row, none locked."""
    with ThreadPoolExecutor(THREADS) as pool:
        answers = [
            a for posts in pool.map(lambda t: _thread(served, t), range(THREADS)) for a in posts
        ]

    statuses = Counter(status for status, _, _ in answers)
    refused = [f"{status} {body[:300]}" for status, body, _ in answers if status != 201]
    assert statuses == {201: POSTS}, f"{statuses}; first refusals: {refused[:5]}"
    assert not any(LOCKED in body for _, body, _ in answers)
    answered = {note: json.loads(body)["id"] for _, body, note in answers}
    assert len(answered) == POSTS
    stored = _stored(served.database_url)
    assert len(stored) == POSTS, f"{POSTS} posts accepted, {len(stored)} rows stored"
    assert stored == answered, "every accepted post is the row its answer named"
    log = served.server.log()
    assert LOCKED not in log
    assert "Exception on" not in log, "no request failed inside the app"
    if served.database_url.startswith("sqlite:///"):
        assert _journal_mode(served.database_url) == "wal"


def _journal_mode(url: str) -> str:
    """Return the journal mode a SQLite file is in, read without the app's connection settings."""
    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        return str(connection.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        connection.close()
