"""The backup and restore drill of docs/deploy.md, step by step, with the real commands.

The backup itself runs as its own process, as an operator runs it, while this process holds
the SQLite database open; the other `flask` steps run in this process through the same click
commands (a process each would cost seconds of start-up apiece). PostgreSQL (when
TEST_DATABASE_URL is set) goes through the real pg_dump and pg_restore.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from config import TestingConfig
from tests.postgres import throwaway_database
from tracker import create_app
from tracker.extensions import db

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def flask(tmp_path: Path, database_url: str, *args: str) -> str:
    """Run `flask ARGS` as its own process against `database_url`, as in production."""
    environ = os.environ | {
        "FLASK_APP": "wsgi",
        "TRACKER_ENV": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "drill-secret-key",
        "TRACKER_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    environ.pop("TEST_DATABASE_URL", None)
    done = subprocess.run(  # noqa: S603  (our own interpreter, fixed arguments)
        [sys.executable, "-m", "flask", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"flask {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout + done.stderr


def run(database_url: str, *args: str) -> str:
    """Run `flask ARGS` against `database_url` in this process; return its output."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(args))
        db.engine.dispose()
    assert result.exit_code == 0, f"flask {' '.join(args)}: {result.output}"
    return result.output


def make_data(database_url: str) -> None:
    """A migrated database holding a small demo organisation, with evidence and audit rows."""
    run(database_url, "db", "upgrade")
    run(database_url, "demo", "seed", "--engineers", "3")


def records(export: Path) -> dict[str, list[list[object]]]:
    """Return the rows of each table in a `flask data export` file."""
    document = json.loads(export.read_text())
    return {table["name"]: table["rows"] for table in document["tables"]}


def test_sqlite_backup_taken_while_the_app_writes_restores_every_record(tmp_path):
    live = tmp_path / "tracker.db"
    live_url = f"sqlite:///{live}"
    make_data(live_url)

    # The app is running: a connection has committed a change still held in the write-ahead
    # log, and keeps a read transaction open while the backup is taken.
    app_connection = sqlite3.connect(live)
    app_connection.execute(
        "UPDATE users SET name = 'Renamed before the backup' WHERE email = ?",
        ("engineer@example.com",),
    )
    app_connection.commit()
    app_connection.execute("BEGIN")
    app_connection.execute("SELECT count(*) FROM evidence").fetchone()
    assert Path(f"{live}-wal").stat().st_size > 0  # the change is in the log, not the file

    # docs/deploy.md, "SQLite: back up while the app runs"
    backup = tmp_path / "tracker-backup.db"
    assert "Backed up" in flask(tmp_path, live_url, "db-backup", str(backup))
    app_connection.rollback()
    app_connection.close()
    assert oct(backup.stat().st_mode & 0o777) == "0o600"
    assert not Path(f"{backup}-wal").exists()  # one self-contained file

    # docs/deploy.md, "The restore drill": export the live database right after the backup,
    # restore the backup into a new file, bring it to this version's schema, export, compare.
    run(live_url, "data", "export", str(tmp_path / "live.json"))
    restored = tmp_path / "drill" / "tracker.db"
    restored.parent.mkdir()
    shutil.copyfile(backup, restored)
    restored_url = f"sqlite:///{restored}"
    run(restored_url, "db", "upgrade")
    run(restored_url, "data", "export", str(tmp_path / "restored.json"))

    before, after = records(tmp_path / "live.json"), records(tmp_path / "restored.json")
    assert after["users"] and after["evidence"] and after["audit_events"]
    assert any("Renamed before the backup" in row for row in after["users"])
    only_live = [row for row in before["audit_events"] if row not in after["audit_events"]]
    assert [row[4] for row in only_live] == ["data.backed_up"]  # the backup's own event
    assert before | {"audit_events": after["audit_events"]} == after


def test_db_backup_refuses_to_overwrite_a_file(tmp_path):
    live_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    existing = tmp_path / "kept.db"
    existing.write_bytes(b"an earlier backup")
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=live_url)
    with app.app_context():
        db.create_all()
        result = app.test_cli_runner().invoke(args=["db-backup", str(existing)])
        db.engine.dispose()
    assert result.exit_code == 1
    assert f"Error: {existing} already exists: choose a new file name" in result.output
    assert existing.read_bytes() == b"an earlier backup"


def test_db_backup_of_postgresql_points_to_pg_dump(tmp_path):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@/none")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["db-backup", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert "this one is postgresql: use pg_dump (see docs/deploy.md)" in result.output
    assert not (tmp_path / "x.db").exists()


def libpq(url: str) -> str:
    """Return the URL pg_dump and pg_restore take (no SQLAlchemy driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_postgresql_pg_dump_restores_into_a_new_database_with_every_record(tmp_path):
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("TEST_DATABASE_URL is not set: no PostgreSQL to back up")
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (apt-get install postgresql-client)")
    suffix = uuid.uuid4().hex[:8]
    with (
        throwaway_database(f"tracker_drill_live_{suffix}") as live_url,
        throwaway_database(f"tracker_drill_restored_{suffix}") as restored_url,
    ):
        make_data(live_url)
        # docs/deploy.md, "PostgreSQL: pg_dump while the app runs"
        dump = tmp_path / "tracker.dump"
        subprocess.run(  # noqa: S603
            ["pg_dump", "--format=custom", f"--file={dump}", libpq(live_url)],  # noqa: S607
            check=True,
            timeout=120,
        )
        run(live_url, "data", "export", str(tmp_path / "live.json"))
        # docs/deploy.md, "The restore drill", into an empty new database
        subprocess.run(  # noqa: S603
            ["pg_restore", "--no-owner", f"--dbname={libpq(restored_url)}", str(dump)],  # noqa: S607
            check=True,
            timeout=120,
        )
        run(restored_url, "db", "upgrade")
        run(restored_url, "data", "export", str(tmp_path / "restored.json"))
    before, after = records(tmp_path / "live.json"), records(tmp_path / "restored.json")
    assert after["users"] and after["evidence"] and after["audit_events"]
    assert before == after
