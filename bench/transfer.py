"""`make bench`, data transfer: `flask data export` and `import` of a 10,000-engineer organisation.

One run each (the organisation takes longer to seed than to move): export from SQLite, import
into a fresh SQLite database and, when TEST_DATABASE_URL names a PostgreSQL server, import into
a throwaway PostgreSQL database and export from it. Each command runs in-process through the
CLI runner, so the seconds leave out the interpreter's start-up.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from flask_migrate import upgrade

from config import TestingConfig
from tests.postgres import throwaway_database
from tracker import create_app
from tracker.catalogue.service import load_default_catalogue
from tracker.demo import seed_people
from tracker.demo_history import generate_history
from tracker.extensions import db

ENGINEERS = 10_000


def transfer_rows(engineers: int = ENGINEERS) -> tuple[str, list[tuple[str, float]]]:
    """Return a line describing the document, and (step, seconds) for each step."""
    with tempfile.TemporaryDirectory() as folder:
        source, document = _migrated(f"sqlite:///{folder}/source.db"), Path(folder, "org.json")
        _seed(source, engineers)
        rows = [("export from SQLite", _timed(source, "export", document))]
        target = _migrated(f"sqlite:///{folder}/target.db")
        rows.append(("import into SQLite", _timed(target, "import", document)))
        size = document.stat().st_size / 1e6
        if os.environ.get("TEST_DATABASE_URL"):
            with throwaway_database(f"tracker_bench_{uuid.uuid4().hex[:8]}") as url:
                rows.append(("import into PostgreSQL", _timed(_migrated(url), "import", document)))
                again = Path(folder, "again.json")
                rows.append(("export from PostgreSQL", _timed(url, "export", again)))
    about = f"{engineers:,} engineers with the demo history, a {size:.1f} MB document"
    return about, rows


def _seed(url: str, engineers: int) -> None:
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        seed_people(engineers, seed=1)
        load_default_catalogue()
        generate_history(1, date.today())
        db.session.commit()
        db.engine.dispose()


def _timed(url: str, command: str, document: Path) -> float:
    """Return the seconds `flask data COMMAND DOCUMENT` takes against `url`."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    start = time.perf_counter()
    result = app.test_cli_runner().invoke(args=["data", command, str(document)])
    elapsed = time.perf_counter() - start
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.engine.dispose()
    return elapsed


def _migrated(url: str) -> str:
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


if __name__ == "__main__":
    about, rows = transfer_rows()
    print(about)
    for step, seconds in rows:
        print(f"{step}: {seconds:.1f} s")
